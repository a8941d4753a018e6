import type { QueryValue } from '@telemetryflow/promql';

/**
 * PromQL over one tenant's stored metrics, as the Prometheus API under `/prometheus` answers it:
 * what dashboard panels and alert rules call. Errors are promql's `QueryError` (bad_data,
 * execution, timeout, canceled) with Prometheus' messages.
 */
export interface PromqlQueries {
  /** An instant query at `timeMs` (ms since the epoch). */
  instant(tenantId: string, expr: string, timeMs: number, signal?: AbortSignal): Promise<QueryValue>;
  /** A range query at start, start+step, …, end (all ms), as `query_range` evaluates it. */
  range(
    tenantId: string,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<QueryValue>;
}

/** Nest injection token of the tenant-scoped PromQL service. */
export const PROMQL_QUERIES = Symbol('PromqlQueries');
