import type { QueryValue } from '@telemetryflow/promql';

/**
 * PromQL over one tenant's metrics, as PromQL rule conditions read it: declared here, implemented
 * by the query package (its `PromqlQueries`, the same object the Prometheus API and dashboard
 * panels use) and wired by the server's composition root. Errors are promql's `QueryError`.
 */
export interface PromqlReads {
  /** An instant query at `timeMs` (ms since the epoch). */
  instant(tenantId: string, expr: string, timeMs: number, signal?: AbortSignal): Promise<QueryValue>;
  /** A range query at start, start+step, …, end (all ms). */
  range(
    tenantId: string,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<QueryValue>;
}
