// Optional self-tracing: TelemetryFlow's own spans exported over OTLP/HTTP (to itself or to
// another backend). API requests and ingest batches are always traced; the per-request spans
// of the OTLP hot path only at TF_SELF_TRACING_REQUEST_RATIO.
import { createRequire } from 'node:module';
import { context, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import { OTLP_EXPORT_SPAN } from '@telemetryflow/collector';

export interface SelfTracingConfig {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (spans go to <endpoint>/v1/traces). */
  endpoint: string;
  /** Extra export headers, e.g. { authorization: 'Bearer tf_…' }. */
  headers: Record<string, string>;
  /** Share of OTLP export requests traced. */
  requestRatio: number;
  serviceName: string;
}

const OTLP_PATH = /^\/v1\/(traces|metrics|logs)(\?|$)/;

/** True for the root spans of the OTLP hot path: an export, or the HTTP request carrying one. */
export function isHotPath(name: string, attributes: Attributes): boolean {
  if (name === OTLP_EXPORT_SPAN) return true;
  const path = attributes['url.path'] ?? attributes['http.target'];
  return typeof path === 'string' && OTLP_PATH.test(path);
}

/**
 * Root spans of the OTLP hot path are sampled at a ratio; every other root span (API
 * requests, ingest batches) is kept. Children follow their parent.
 */
export class HotPathSampler implements Sampler {
  private readonly hotPath: Sampler;

  constructor(ratio: number) {
    this.hotPath = new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(
    ctx: Context,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (isHotPath(name, attributes)) return this.hotPath.shouldSample(ctx, traceId, name, kind, attributes, links);
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return `HotPathSampler{${this.hotPath.toString()}}`;
  }
}

// Scrapes and probes are not worth a span. (Ignoring a path also suppresses every span
// inside its request, so OTLP paths are sampled instead.)
const UNTRACED_PATHS = /^\/(metrics|health|ready)(\?|$)/;

export interface SelfTracing {
  /** Exports the spans ended so far. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startSelfTracing(cfg: SelfTracingConfig): SelfTracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': cfg.serviceName }),
    sampler: new ParentBasedSampler({ root: new HotPathSampler(cfg.requestRatio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${cfg.endpoint.replace(/\/$/, '')}/v1/traces`, headers: cfg.headers }),
      }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '/'),
        // The exporter's own requests (and other outgoing calls) are not what we trace.
        ignoreOutgoingRequestHook: () => true,
      }),
    ],
  });
  // The hooks patch a module when it is required; node:http is usually loaded already
  // (ESM imports are not seen by them), so require it once more to apply the patch.
  createRequire(import.meta.url)('node:http');
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      // The last spans may have nowhere to go (exporting to this process, now closed):
      // losing them must not fail the shutdown.
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      context.disable();
    },
  };
}
