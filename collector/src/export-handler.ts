// The transport-independent OTLP Export: authenticate → read the payload → hand it to the
// consumer → outcome. OTLP/HTTP and OTLP/gRPC both call it; only framing differs.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Authenticate, Credential, ExportOutcome, OtlpConsumer, OtlpEncoding, Signal } from '@telemetryflow/schemas';
import type { ReceiverLog } from './config.js';
import type { CollectorMetrics } from './collector-metrics.js';
import { ExportError, isServerSide, toExportError } from './errors.js';

export interface ExportHandlerDeps {
  authenticate: Authenticate;
  consumer: OtlpConsumer;
  log?: ReceiverLog;
  metrics?: CollectorMetrics;
}

/** One incoming Export call, as either transport sees it. */
export interface ExportCall {
  /** The `authorization` header / metadata value, if any. */
  authorization: string | undefined;
  encoding: OtlpEncoding;
  /**
   * Produces the decompressed request body. Called only once the caller is authenticated,
   * so an anonymous client never makes the receiver read or inflate anything. May reject
   * with an ExportError (too large, corrupt compression).
   */
  readPayload: () => Promise<Uint8Array>;
}

/** Resolves with the outcome to encode, or rejects with an ExportError: nothing else. */
export type ExportHandler = (call: ExportCall) => Promise<ExportOutcome>;

const DAY_NS = 86_400n * 1_000_000_000n;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** Name of the span of one export request in TelemetryFlow's own traces (sampled). */
export const OTLP_EXPORT_SPAN = 'otlp.export';
const tracer = trace.getTracer('telemetryflow-collector');

export function createExportHandler(signal: Signal, deps: ExportHandlerDeps): ExportHandler {
  const handle = exportHandler(signal, deps);
  return (call) =>
    tracer.startActiveSpan(OTLP_EXPORT_SPAN, { attributes: { 'telemetryflow.signal': signal, 'rpc.system': 'otlp' } }, async (span) => {
      try {
        const outcome = await handle(call);
        span.setAttributes({ 'telemetryflow.items.accepted': outcome.accepted, 'telemetryflow.items.rejected': outcome.rejected });
        return outcome;
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as ExportError).kind });
        throw err;
      } finally {
        span.end();
      }
    });
}

function exportHandler(signal: Signal, deps: ExportHandlerDeps): ExportHandler {
  const m = deps.metrics;
  return async (call) => {
    let tenant = '';
    try {
      const credential = await authorize(deps.authenticate, call.authorization);
      const tenantId = (tenant = credential.tenantId);
      trace.getActiveSpan()?.setAttribute('telemetryflow.tenant', tenantId);
      const payload = await call.readPayload();
      const receivedAtNs = nowNs();
      const days = credential.rawRetentionDays?.[signal];
      const notBeforeNs = days ? receivedAtNs - BigInt(days) * DAY_NS : 0n;
      const outcome = await deps.consumer.consume({ tenantId, signal, encoding: call.encoding, payload, receivedAtNs, notBeforeNs });
      m?.requests.inc({ signal, tenant, outcome: outcome.rejected > 0 ? 'partial' : 'accepted' });
      m?.itemsAccepted.inc({ signal, tenant }, outcome.accepted);
      if (outcome.rejected > 0) m?.itemsRejected.inc({ signal, tenant }, outcome.rejected);
      return outcome;
    } catch (err) {
      const failure = toExportError(err);
      m?.requests.inc({ signal, tenant, outcome: failure.kind });
      if (isServerSide(failure)) {
        deps.log?.error('OTLP export failed transiently', { signal, error: describe(failure.cause ?? failure) });
      }
      throw failure;
    }
  };
}

async function authorize(authenticate: Authenticate, authorization: string | undefined): Promise<Credential> {
  const token = bearerToken(authorization);
  if (token === null) throw new ExportError('unauthenticated', 'missing or malformed Authorization: Bearer <api key>');
  // A throwing authenticator (database down) is transient: toExportError makes it 503 / UNAVAILABLE.
  const credential = await authenticate(token);
  if (credential === null) throw new ExportError('unauthenticated', 'unknown or revoked API key');
  if (!credential.scopes.includes('ingest')) throw new ExportError('forbidden', 'API key lacks the ingest scope');
  return credential;
}

// Wall-clock nanoseconds: epoch milliseconds at start-up plus the monotonic clock since.
const startEpochNs = BigInt(Date.now()) * 1_000_000n;
const startHrNs = process.hrtime.bigint();

function nowNs(): bigint {
  return startEpochNs + (process.hrtime.bigint() - startHrNs);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
