// Generated telemetry of the rollups and dashboard benchmarks, loaded straight into
// ClickHouse with loadRows (INSERT … SELECT FROM numbers(), so the rollup views fire as on
// ingest): 20 services of 10 operations, logs of six severities, one gauge of 200 series.
import { mergesSettled, type ClickHouseClient } from './bench-store.js';

/** Row time of row `offset + number`: spread evenly over [start, end), in nanoseconds. */
const TIME_NS =
  'toUInt64({start:UInt64} + intDiv((toUInt64({offset:UInt64}) + number) * ({end:UInt64} - {start:UInt64}), {total:UInt64})) * 1000000';

export const SPANS_SQL = `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
  SETTINGS async_insert = 0
  SELECT 'default', hex(generateUUIDv4()), lower(hex(toUInt64({offset:UInt64}) + number + 1)), concat('svc-', toString(number % 20)),
         concat('op-', toString(intDiv(number, 20) % 10)), if(intDiv(number, 20) % 10 < 3, 'SPAN_KIND_CLIENT', 'SPAN_KIND_SERVER'), t, t + d, d,
         if(number % 50 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET')
  FROM (SELECT number, ${TIME_NS} AS t, toInt64(exp(randNormal(log(2e7), 1))) AS d FROM numbers({n:UInt64}))`;

export const LOGS_SQL = `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, SeverityText, SeverityNumber, ServiceName, Body)
  SETTINGS async_insert = 0
  SELECT 'default', t, t, '', '', ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'][number % 6 + 1], [9, 9, 9, 13, 17, 5][number % 6 + 1],
         concat('svc-', toString(number % 20)), concat('request ', toString(number % 1000), ' handled in ', toString(number % 97), ' ms')
  FROM (SELECT number, ${TIME_NS} AS t FROM numbers({n:UInt64}))`;

const SERIES = 200;
export const POINTS_SQL = `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
  SELECT 'default', 'queue.depth', number % ${SERIES} + 1, ${TIME_NS}, (number * 7919) % 1000 FROM numbers({n:UInt64})`;

/** The series rows of the points POINTS_SQL writes (`queue.depth`, service svc-1). */
export async function insertGaugeSeries(ch: ClickHouseClient, window: { start: number; end: number }): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number + 1, 'gauge', 'svc-1', toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000 FROM numbers(${SERIES})`,
    query_params: window,
  });
}

const ROLLUP_TABLES = [
  'spans_red_hourly',
  'spans_red_daily',
  'spans_service_red_hourly',
  'spans_service_red_daily',
  'logs_volume_hourly',
  'logs_volume_daily',
  'metrics_value_hourly',
  'metrics_value_daily',
];

/** Rollup rows of many inserts collapse in background merges; benchmarks measure the merged state. */
export async function mergeRollups(ch: ClickHouseClient): Promise<void> {
  for (const t of ROLLUP_TABLES) await ch.command({ query: `OPTIMIZE TABLE ${t} FINAL` });
  await mergesSettled(ch);
}
