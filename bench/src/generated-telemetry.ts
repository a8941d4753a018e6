// Generated telemetry loaded straight into ClickHouse for the benchmarks: INSERT … SELECT
// FROM numbers(), so the rollup views fire as they do on ingest.
import { performance } from 'node:perf_hooks';
import type { RunningAllInOne } from '@telemetryflow/server';
import { formatInt } from './stats.js';

export type ClickHouseClient = RunningAllInOne['clickhouse'];

const CHUNK = 1_000_000;

/** Loads `total` rows in chunks of consecutive time, each chunk one INSERT … SELECT whose views fire. */
export async function load(ch: ClickHouseClient, what: string, total: number, insert: (offset: number, n: number) => string, window: { start: number; end: number }): Promise<void> {
  const t0 = performance.now();
  for (let offset = 0; offset < total; offset += CHUNK) {
    const n = Math.min(CHUNK, total - offset);
    await ch.command({ query: insert(offset, n), query_params: { offset, n, total, start: window.start, end: window.end } });
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`loaded ${formatInt(total)} ${what} in ${s.toFixed(1)} s (${formatInt(total / s)}/s)`);
}

/** Row time of row `offset + number`: spread evenly over [start, end), in nanoseconds. */
const TIME_NS = 'toUInt64({start:UInt64} + intDiv((toUInt64({offset:UInt64}) + number) * ({end:UInt64} - {start:UInt64}), {total:UInt64})) * 1000000';

export const SPANS_SQL = () => `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
  SETTINGS async_insert = 0
  SELECT 'default', hex(generateUUIDv4()), lower(hex(toUInt64({offset:UInt64}) + number + 1)), concat('svc-', toString(number % 20)),
         concat('op-', toString(intDiv(number, 20) % 10)), if(intDiv(number, 20) % 10 < 3, 'SPAN_KIND_CLIENT', 'SPAN_KIND_SERVER'), t, t + d, d,
         if(number % 50 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET')
  FROM (SELECT number, ${TIME_NS} AS t, toInt64(exp(randNormal(log(2e7), 1))) AS d FROM numbers({n:UInt64}))`;

export const LOGS_SQL = () => `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, SeverityText, SeverityNumber, ServiceName, Body)
  SETTINGS async_insert = 0
  SELECT 'default', t, t, '', '', ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'][number % 6 + 1], [9, 9, 9, 13, 17, 5][number % 6 + 1],
         concat('svc-', toString(number % 20)), concat('request ', toString(number % 1000), ' handled in ', toString(number % 97), ' ms')
  FROM (SELECT number, ${TIME_NS} AS t FROM numbers({n:UInt64}))`;

export const SERIES = 200;
export const POINTS_SQL = () => `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
  SELECT 'default', 'queue.depth', number % ${SERIES} + 1, ${TIME_NS}, (number * 7919) % 1000 FROM numbers({n:UInt64})`;

/** Waits (up to 5 minutes) until no background merge runs, so timings do not share the CPU with them. */
export async function mergesSettled(ch: ClickHouseClient): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < 300_000) {
    const [row] = await (await ch.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' })).json<{ n: string }>();
    if (row?.n === '0') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`background merges settled after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}


/** The series rows of the gauge points POINTS_SQL writes (`queue.depth`, SERIES series of service svc-1). */
export async function insertGaugeSeries(ch: ClickHouseClient, window: { start: number; end: number }): Promise<void> {
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number + 1, 'gauge', 'svc-1', toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000 FROM numbers(${SERIES})`,
    query_params: window,
  });
}

const ROLLUP_TABLES = [
  'spans_red_hourly', 'spans_red_daily', 'spans_service_red_hourly', 'spans_service_red_daily',
  'logs_volume_hourly', 'logs_volume_daily', 'metrics_value_hourly', 'metrics_value_daily',
];

/** Rollup rows of many inserts collapse in background merges; benchmarks measure the merged state. */
export async function mergeRollups(ch: ClickHouseClient): Promise<void> {
  for (const t of ROLLUP_TABLES) await ch.command({ query: `OPTIMIZE TABLE ${t} FINAL` });
  await mergesSettled(ch);
}
