// `pnpm bench:query`: loads 10 million spans (2 million traces of 5 spans over 24 hours,
// with attributes) and 10 million logs straight into the all-in-one's ClickHouse
// (INSERT … SELECT FROM numbers(), so trace_index and the rollup views fire as on ingest),
// then times read requests over HTTP: p50 / p95 of trace by id, trace search, log search
// (1 hour), metric queries, attribute suggestions and the service map, and prints the bytes
// on disk per span, log record and point, and per column of the span tables.
// `--scale`: a day's volume of a busy tenant instead, 100M spans (20M traces), 100M logs and
// 20M points over 7 days. Sizes: TF_BENCH_SPANS, TF_BENCH_LOGS, TF_BENCH_POINTS (defaults
// 10M, 10M, 2M; with --scale 100M, 100M, 20M), TF_BENCH_DAYS (1; 7); TF_BENCH_RUNS requests
// per case (default 30). Then the mutating phase (mutating-bench.ts):
// what the audit log adds to state-changing calls. TF_BENCH_QUERY_PHASES=mutating runs only that.
import { performance } from 'node:perf_hooks';
import type { RunningAllInOne } from '@telemetryflow/server';
import {
  envInt,
  hex16,
  loadRows,
  type ClickHouseClient,
  machineLine,
  mergesSettled,
  runWithAllInOne,
  timeNs,
} from './bench-store.js';
import { mutatingPhase } from './mutating-bench.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_query_key_00000000000000001';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SPANS_PER_TRACE = 5;

const SCALE = process.argv.includes('--scale');
const SPANS = envInt('TF_BENCH_SPANS', SCALE ? 100_000_000 : 10_000_000);
const LOGS = envInt('TF_BENCH_LOGS', SCALE ? 100_000_000 : 10_000_000);
const POINTS = envInt('TF_BENCH_POINTS', SCALE ? 20_000_000 : 2_000_000);
const DAYS = envInt('TF_BENCH_DAYS', SCALE ? 7 : 1);
const RUNS = envInt('TF_BENCH_RUNS', 30);
const PHASES = new Set((process.env.TF_BENCH_QUERY_PHASES ?? 'reads,mutating').split(','));

/**
 * Trace `tr` = row / 5: a root span of svc-(tr % 20) and four children, each in the next
 * service, started 1 ms apart. Attributes: a route (50 values), a user id (100k values), a
 * status code; one trace in 50 has an error.
 */
const SPANS_SQL = `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs,
    StatusCode, ResourceAttributes, Attributes)
  SETTINGS async_insert = 0
  SELECT 'default', concat(${hex16('cityHash64(tr, 1)')}, ${hex16('cityHash64(tr, 2)')}), ${hex16('row + 1')},
         if(idx = 0, '', ${hex16('row - idx + 1')}), svc, concat('op-', toString(tr % 10)), if(idx = 0, 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT'),
         t, t + d, d, if(tr % 50 = 0 AND idx = 4, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET'),
         map('service.name', svc, 'host.name', concat('host-', toString(tr % 40))),
         map('http.route', concat('/api/r', toString(tr % 50)), 'user.id', concat('user-', toString(tr % 100000)), 'http.status_code', if(tr % 50 = 0, '500', '200'))
  FROM (
    SELECT toUInt64({offset:UInt64}) + number AS row, intDiv(row, ${SPANS_PER_TRACE}) AS tr, row % ${SPANS_PER_TRACE} AS idx,
           concat('svc-', toString((tr + idx) % 20)) AS svc,
           ${timeNs(`intDiv(row, ${SPANS_PER_TRACE}) * ${SPANS_PER_TRACE}`)} + idx * 1000000 AS t,
           toInt64(exp(randNormal(log(2e7), 1))) AS d
    FROM numbers({n:UInt64}))`;

const TRACES = Math.max(1, Math.floor(SPANS / SPANS_PER_TRACE));
/** One record in ten carries the id of the trace that started at the same time. */
const LOGS_SQL = `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, SeverityText, SeverityNumber, ServiceName, Body, Attributes)
  SETTINGS async_insert = 0
  SELECT 'default', t, t, if(row % 10 = 0, concat(${hex16('cityHash64(tr, 1)')}, ${hex16('cityHash64(tr, 2)')}), ''), '',
         ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'][row % 6 + 1], [9, 9, 9, 13, 17, 5][row % 6 + 1], concat('svc-', toString(row % 20)),
         concat(['request', 'payment', 'checkout', 'login', 'search'][row % 5 + 1], ' ', toString(row % 1000), ' handled in ', toString(row % 97), ' ms',
                if(row % 100 = 0, ' after timeout', '')),
         map('order.id', toString(row % 100000))
  FROM (SELECT toUInt64({offset:UInt64}) + number AS row, ${timeNs('row')} AS t,
               intDiv(row * ${TRACES}, {total:UInt64}) AS tr FROM numbers({n:UInt64}))`;

const SERIES = 200;
const POINTS_SQL = `INSERT INTO metrics_gauge (TenantId, MetricName, Fingerprint, TimeNs, Value) SETTINGS async_insert = 0
  SELECT 'default', 'queue.depth', (toUInt64({offset:UInt64}) + number) % ${SERIES} + 1, ${timeNs('toUInt64({offset:UInt64}) + number')}, (number * 7919) % 1000
  FROM numbers({n:UInt64})`;

/** The tables each signal's raw reads need, and the rollups it also fills. */
const SIGNAL_TABLES = [
  {
    signal: 'span',
    items: SPANS,
    raw: ['spans', 'trace_index'],
    rollups: ['spans_red_hourly', 'spans_red_daily', 'spans_service_red_hourly', 'spans_service_red_daily'],
  },
  { signal: 'log record', items: LOGS, raw: ['logs'], rollups: ['logs_volume_hourly', 'logs_volume_daily'] },
  {
    signal: 'gauge point',
    items: POINTS,
    raw: ['metrics_gauge', 'metric_series'],
    rollups: ['metrics_value_hourly', 'metrics_value_daily'],
  },
];

/** Bytes on disk (compressed, with marks, primary index, skip indexes and projections) per stored item. */
async function storage(ch: ClickHouseClient): Promise<string[][]> {
  const rs = await ch.query({
    query: `SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = currentDatabase() AND active GROUP BY table`,
    format: 'JSONEachRow',
  });
  const bytes = new Map((await rs.json<{ table: string; bytes: string }>()).map((r) => [r.table, Number(r.bytes)]));
  const sum = (tables: string[]) => tables.reduce((n, t) => n + (bytes.get(t) ?? 0), 0);
  return SIGNAL_TABLES.flatMap(({ signal, items, raw, rollups }) => [
    [signal, raw.join(' + '), (sum(raw) / items).toFixed(1)],
    [`${signal}, rollups`, rollups.join(' + '), (sum(rollups) / items).toFixed(2)],
  ]);
}

/** Columns under this many bytes per span are summed into one line of the per-column table. */
const SMALL_COLUMN_BYTES = 0.05;

/**
 * Where the span tables' bytes go: compressed (and uncompressed) bytes per span of each
 * column of spans and trace_index (`system.columns`, active parts), then their skip indexes,
 * marks and primary index (`system.parts`), so codec and layout changes can be read per column.
 * Compact parts (under 10 MiB, so only at small TF_BENCH_SPANS) report no per-column sizes.
 */
async function spanColumnStorage(ch: ClickHouseClient): Promise<string[][]> {
  const tables = ['spans', 'trace_index'];
  const columns = await (
    await ch.query({
      query: `SELECT table, name, data_compressed_bytes AS compressed, data_uncompressed_bytes AS uncompressed, compression_codec AS codec
              FROM system.columns WHERE database = currentDatabase() AND table IN {tables:Array(String)}
              ORDER BY table, compressed DESC, name`,
      query_params: { tables },
      format: 'JSONEachRow',
    })
  ).json<{ table: string; name: string; compressed: string; uncompressed: string; codec: string }>();
  const [parts] = await (
    await ch.query({
      query: `SELECT sum(secondary_indices_compressed_bytes) AS skip, sum(marks_bytes + primary_key_size) AS marks
              FROM system.parts WHERE database = currentDatabase() AND active AND table IN {tables:Array(String)}`,
      query_params: { tables },
      format: 'JSONEachRow',
    })
  ).json<{ skip: string; marks: string }>();
  const perSpan = (bytes: number) => (bytes / SPANS).toFixed(2);
  const rows: string[][] = [];
  for (const table of tables) {
    const own = columns.filter((c) => c.table === table);
    const small = own.filter((c) => Number(c.compressed) / SPANS < SMALL_COLUMN_BYTES);
    for (const c of own.filter((x) => !small.includes(x)))
      rows.push([`${table}.${c.name}`, c.codec, perSpan(Number(c.compressed)), perSpan(Number(c.uncompressed))]);
    const sum = (k: 'compressed' | 'uncompressed') => small.reduce((n, c) => n + Number(c[k]), 0);
    rows.push([
      `${table}, ${small.length} other columns`,
      '',
      perSpan(sum('compressed')),
      perSpan(sum('uncompressed')),
    ]);
  }
  rows.push(['skip indexes', '', perSpan(Number(parts?.skip ?? 0)), '']);
  rows.push(['marks and primary index', '', perSpan(Number(parts?.marks ?? 0)), '']);
  return rows;
}

interface Case {
  name: string;
  /** A path per run (different trace ids), or one path. */
  path: (run: number) => string;
  body?: unknown;
  target?: number;
}

async function time(url: string, body: unknown): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return ms;
}

async function measure(base: string, c: Case): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 2; i++) await time(base + c.path(RUNS + i), c.body);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await time(base + c.path(i), c.body));
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

runWithAllInOne('tf-bench-query-', API_KEY, async (server) => {
  if (PHASES.has('reads')) await readPhase(server);
  if (PHASES.has('mutating')) {
    await mutatingPhase(server, API_KEY);
    if (!PHASES.has('reads')) console.log(`\n${await machineLine(server.clickhouse)}`);
  }
});

async function readPhase(server: RunningAllInOne): Promise<void> {
  const ch = server.clickhouse;
  const now = Date.now();
  const window = { start: now - DAYS * DAY_MS, end: now - 60_000 };
  await loadRows(ch, 'spans', SPANS, SPANS_SQL, window);
  await loadRows(ch, 'logs', LOGS, LOGS_SQL, window);
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, ServiceName, ResourceAttributes, Attributes, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            SELECT 'default', 'queue.depth', number + 1, 'gauge', concat('svc-', toString(number % 20)), map('service.name', concat('svc-', toString(number % 20))),
                   map('queue', concat('q', toString(number))), toUInt64({start:UInt64}) * 1000000, toUInt64({end:UInt64}) * 1000000 FROM numbers(${SERIES})`,
    query_params: window,
  });
  await loadRows(ch, 'gauge points', POINTS, POINTS_SQL, window);
  await mergesSettled(ch);

  // Trace ids of the last hour, a different one per run.
  const ids = (
    await (
      await ch.query({
        query: `SELECT lower(hex(TraceId)) AS id FROM spans WHERE TenantId = 'default' AND StartTime >= now() - INTERVAL 1 HOUR LIMIT 1 BY TraceId LIMIT 200`,
        format: 'JSONEachRow',
      })
    ).json<{ id: string }>()
  ).map((r) => r.id);
  const lastHour = `from=${now - HOUR_MS}&to=${now}`;
  const metricQuery = (signal: unknown, hours: number, step: number) => ({
    query: signal,
    from: now - hours * HOUR_MS,
    to: now,
    step,
  });
  const cases: Case[] = [
    { name: 'trace by id', path: (i) => `/api/v1/traces/${ids[(i * 7) % ids.length]}`, target: 50 },
    { name: 'trace by id, include=logs', path: (i) => `/api/v1/traces/${ids[(i * 7) % ids.length]}?include=logs` },
    { name: 'trace search, 1 h, newest', path: () => `/api/v1/traces?${lastHour}`, target: 200 },
    { name: 'trace search, 1 h, slowest', path: () => `/api/v1/traces?${lastHour}&sort=slowest`, target: 200 },
    {
      name: 'trace search, 1 h, service + attr',
      path: () => `/api/v1/traces?${lastHour}&service=svc-3&attr.http.route=/api/r7`,
      target: 200,
    },
    { name: 'trace search, 1 h, status=error', path: () => `/api/v1/traces?${lastHour}&status=error`, target: 200 },
    { name: 'log search, 1 h, newest', path: () => `/api/v1/logs?${lastHour}`, target: 200 },
    { name: 'log search, 1 h, word', path: () => `/api/v1/logs?${lastHour}&q=timeout`, target: 200 },
    {
      name: 'log search, 1 h, phrase + severity',
      path: () => `/api/v1/logs?${lastHour}&q=%22payment%20123%22&minSeverity=WARN`,
      target: 200,
    },
    { name: 'log histogram, 1 h, word', path: () => `/api/v1/logs/histogram?${lastHour}&q=timeout` },
    {
      name: 'metric query, 1 h, by queue',
      path: () => '/api/v1/query',
      body: metricQuery({ signal: 'metrics', metric: 'queue.depth', aggregation: 'avg', groupBy: ['queue'] }, 1, 60),
    },
    {
      name: 'metric query, 24 h, max',
      path: () => '/api/v1/query',
      body: metricQuery({ signal: 'metrics', metric: 'queue.depth', aggregation: 'max' }, 24, 3600),
    },
    {
      name: 'spans p95 by service, 24 h',
      path: () => '/api/v1/query',
      body: metricQuery({ signal: 'spans', measure: 'p95', groupBy: ['service'] }, 24, 3600),
    },
    {
      name: 'spans count by route, 1 h',
      path: () => '/api/v1/query',
      body: metricQuery({ signal: 'spans', measure: 'count', groupBy: ['attr.http.route'] }, 1, 60),
    },
    { name: 'attribute keys, 1 h', path: () => `/api/v1/traces/attributes?${lastHour}` },
    { name: 'attribute values user.id, 1 h', path: () => `/api/v1/traces/attributes/attr.user.id/values?${lastHour}` },
    {
      name: 'attribute values, prefix, 1 h',
      path: () => `/api/v1/traces/attributes/attr.user.id/values?${lastHour}&prefix=user-4242`,
    },
    { name: 'service map, 1 h', path: () => `/api/v1/service-map?${lastHour}` },
  ];
  const rows: string[][] = [];
  for (const c of cases) {
    const r = await measure(server.apiUrl, c);
    rows.push([c.name, formatMs(r.p50), formatMs(r.p95), c.target === undefined ? '' : `≤ ${c.target}`]);
    console.log(`${c.name}: p50 ${formatMs(r.p50)} ms, p95 ${formatMs(r.p95)} ms`);
  }
  console.log(`\n${await machineLine(ch)}`);
  console.log(
    `${formatInt(SPANS)} spans (${formatInt(SPANS / SPANS_PER_TRACE)} traces), ${formatInt(LOGS)} logs, ${formatInt(POINTS)} gauge points over ${DAYS * 24} hours; ${RUNS} requests per case\n`,
  );
  console.log(renderTable(['request', 'p50 ms', 'p95 ms', 'target p95 ms'], rows));
  console.log(
    `\n${renderTable(['signal', 'tables (raw, projections and skip indexes included)', 'bytes per item'], await storage(ch))}`,
  );
  console.log(
    `\n${renderTable(['span column', 'codec', 'bytes per span', 'uncompressed'], await spanColumnStorage(ch))}`,
  );
}
