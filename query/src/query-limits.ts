/**
 * Caps on what one read request may pull out of ClickHouse. A request that would go past
 * one is answered 422 naming the parameters to narrow — never with a truncated result.
 */
export interface QueryLimits {
  /**
   * Raw metric points fetched for one metric query (rates, distributions). They are parsed
   * on the event loop that also serves OTLP in the all-in-one: 200k points is ~0.2 s of it.
   */
  maxMetricPoints: number;
  /** Metrics listed by GET /api/v1/metrics. */
  maxMetrics: number;
  /** Spans returned for one trace. */
  maxTraceSpans: number;
  /** Services listed by GET /api/v1/services. */
  maxServices: number;
  /** ClickHouse `max_execution_time` of every read query, in seconds. */
  maxExecutionSeconds: number;
  /** ClickHouse `max_rows_to_read` of every read query. */
  maxRowsToRead: number;
  /** ClickHouse `max_memory_usage` of every read query, in bytes. */
  maxMemoryBytes: number;
  /** Longest range of searches that read raw rows (traces, logs, service map), in days. */
  maxSearchRangeDays: number;
  /** Longest range of aggregate queries (rollups answer long ones), in days. */
  maxRangeDays: number;
  /** Samples one PromQL query may hold in memory (Prometheus' --query.max-samples). */
  promqlMaxSamples: number;
  /** Stored series one PromQL selector (or series / labels look-up) may read. */
  promqlMaxSeries: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxMetricPoints: 200_000,
  maxMetrics: 100_000,
  maxTraceSpans: 100_000,
  maxServices: 10_000,
  maxExecutionSeconds: 30,
  maxRowsToRead: 2_000_000_000,
  maxMemoryBytes: 2 * 1024 ** 3,
  maxSearchRangeDays: 31,
  maxRangeDays: 800,
  promqlMaxSamples: 10_000_000,
  promqlMaxSeries: 100_000,
};

/** The defaults with `overrides` applied; every cap must be a positive integer. */
export function queryLimits(overrides: Partial<QueryLimits> = {}): QueryLimits {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...overrides };
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new Error(`query limit ${name} must be a positive integer, got ${String(v)}`);
  }
  return limits;
}
