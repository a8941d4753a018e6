import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

const tracer = trace.getTracer('telemetryflow-ingest');

/**
 * Runs one insert batch inside its own root span of TelemetryFlow's self-traces (a no-op
 * unless self-tracing is on). Root, because a batch serves many requests, not the one
 * whose context happened to seal it.
 */
export function inBatchSpan<T>(name: string, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { root: true, attributes }, async (span) => {
    try {
      return await run();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
