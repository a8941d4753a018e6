// Metric points the rollup-job tests (daily-rollup-job, hourly-rollup-job) load straight into
// ClickHouse: integer values, so sums stay exact and answers compare equal across resolutions.
import type { ClickHouseClient } from '@telemetryflow/clickhouse';

/** Catalog rows of `fps` in tenant `default`, service `shop`, label `host` = the fingerprint. */
export async function series(
  ch: ClickHouseClient,
  metric: string,
  type: string,
  temporality: number,
  fps: number[],
  seen: { fromMs: number; toMs: number },
): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, Temporality, IsMonotonic, ServiceName, Attributes, FirstSeenNs, LastSeenNs)
            SETTINGS async_insert = 0
            SELECT 'default', {metric:String}, fp, {type:String}, {temporality:UInt8}, true, 'shop', map('host', toString(fp)),
                   toUInt64({from:UInt64}) * 1000000, toUInt64({to:UInt64}) * 1000000
            FROM (SELECT arrayJoin({fps:Array(UInt64)}) AS fp)`,
    query_params: { metric, type, temporality, fps, from: seen.fromMs, to: seen.toMs },
  });
}

/** Gauge points of two series every `everyMs` from `fromMs`, integer values (sums stay exact). */
export async function gaugePoints(ch: ClickHouseClient, fromMs: number, n: number, everyMs: number, seed: number) {
  await ch.command({
    query: `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number % 2 + 1, toUInt64({from:UInt64} + intDiv(number, 2) * {every:UInt64}) * 1000000, (number * {seed:UInt64}) % 1000
            FROM numbers({n:UInt64})`,
    query_params: { from: fromMs, n: 2 * n, every: everyMs, seed },
  });
}

/** Delta histogram points of one series every `everyMs` from `fromMs`. */
export async function histogramPoints(ch: ClickHouseClient, fromMs: number, n: number, everyMs: number) {
  await ch.command({
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'rpc.latency', 77, toUInt64({from:UInt64} + number * {every:UInt64}) * 1000000, c[1] + c[2] + c[3], 10,
                   if(number % 50 = 0, NULL, (number * 13) % 97 / 10), 10 + (number * 31) % 89,
                   [number % 4, 1 + number % 3, (number * 7) % 5] AS c, [1, 5], 1
            FROM numbers({n:UInt64})`,
    query_params: { from: fromMs, n, every: everyMs },
  });
}

/**
 * A cumulative counter (`http.requests`, series 88) and a cumulative histogram (`http.duration`,
 * series 89), both started an hour before `fromMs`: `n` points every `everyMs` from half an hour
 * before `fromMs` (the increase of the first bucket then has a point before it).
 */
export async function cumulativePoints(ch: ClickHouseClient, fromMs: number, n: number, everyMs: number) {
  await ch.command({
    query: `INSERT INTO metrics_sum (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Value, Temporality, IsMonotonic) SETTINGS async_insert = 0
            SELECT 'default', 'http.requests', 88, toUInt64({from:UInt64} - 3600000) * 1000000, toUInt64({from:UInt64} - 1800000 + number * {every:UInt64}) * 1000000,
                   (number + 1) * 7 + intDiv(number * number, 50), 2, true
            FROM numbers({n:UInt64})`,
    query_params: { from: fromMs, n, every: everyMs },
  });
  await ch.command({
    query: `INSERT INTO metrics_histogram (TenantId, MetricName, Fingerprint, StartTimeNs, TimeNs, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Temporality)
            SETTINGS async_insert = 0
            SELECT 'default', 'http.duration', 89, toUInt64({from:UInt64} - 3600000) * 1000000, toUInt64({from:UInt64} - 1800000 + number * {every:UInt64}) * 1000000,
                   arraySum(c), j * 10, 0.2, 5 + j / 100, [j * 3, j * 2 + intDiv(j, 7), intDiv(j * j, 400)] AS c, [1, 5], 2
            FROM (SELECT number, number + 1 AS j FROM numbers({n:UInt64}))`,
    query_params: { from: fromMs, n, every: everyMs },
  });
}
