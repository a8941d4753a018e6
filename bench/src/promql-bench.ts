// `pnpm bench:promql`: 1,000 counter series `http_requests_total{job, instance}` (10 jobs), a
// sample a minute, stored as remote write stores them, loaded straight into the all-in-one's
// ClickHouse (INSERT … SELECT FROM numbers(), so the rollup views fire as on ingest); then
// `sum by (job) (rate(http_requests_total[5m]))` through `/prometheus/api/v1/query_range`
// over 24 h at a 60 s step and over 30 days at a 1 h step (the step Grafana picks for 30 days on a
// ~720-px panel). TF_BENCH_SERIES (default 1,000), TF_BENCH_DAYS of data (default 30),
// TF_BENCH_RUNS requests per case (default 20).
import { performance } from 'node:perf_hooks';
import { envInt, machineLine, runWithAllInOne, type ClickHouseClient } from './bench-store.js';
import { mergeRollups } from './generated-telemetry.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_promql_key_00000000000000001';
const DAY_MS = 86_400_000;
const SERIES = envInt('TF_BENCH_SERIES', 1_000);
const DAYS = envInt('TF_BENCH_DAYS', 30);
const RUNS = envInt('TF_BENCH_RUNS', 20);
const QUERY = 'sum by (job) (rate(http_requests_total[5m]))';

async function load(ch: ClickHouseClient, end: number): Promise<number> {
  const start = end - DAYS * DAY_MS;
  await ch.command({
    query: `INSERT INTO metric_series (TenantId, MetricName, Fingerprint, MetricType, Temporality, IsMonotonic, ServiceName,
              ScopeName, Attributes, FirstSeenNs, LastSeenNs) SETTINGS async_insert = 0
            SELECT 'default', 'http_requests_total', number + 1, 'sum', 2, true, 'unknown_service', 'prometheus.remote_write',
              map('job', concat('job-', toString(number % 10)), 'instance', concat('host-', toString(number), ':9100')),
              toUInt64({start:Int64}) * 1000000, toUInt64({end:Int64}) * 1000000
            FROM numbers({series:UInt32})`,
    query_params: { start, end, series: SERIES },
  });
  const points = SERIES * DAYS * 1440;
  const chunk = 20_000_000;
  for (let from = 0; from < points; from += chunk) {
    // Point i: series i % SERIES at minute i / SERIES; the counter grows 0–9 per minute per series.
    await ch.command({
      query: `INSERT INTO metrics_sum (TenantId, MetricName, Fingerprint, TimeNs, Value, Temporality, IsMonotonic) SETTINGS async_insert = 0
              SELECT 'default', 'http_requests_total', n % {series:UInt32} + 1,
                toUInt64({start:Int64} + intDiv(n, {series:UInt32}) * 60000) * 1000000,
                intDiv(n, {series:UInt32}) * (n % 7 + 3) + (n % {series:UInt32}), 2, true
              FROM (SELECT number + {from:UInt64} AS n FROM numbers({count:UInt64}))`,
      query_params: { start, series: SERIES, from, count: Math.min(chunk, points - from) },
    });
    process.stdout.write(`loaded ${formatInt(Math.min(points, from + chunk))} / ${formatInt(points)} points\r`);
  }
  process.stdout.write('\n');
  return points;
}

async function time(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 500)}`);
  const result = (JSON.parse(body) as { data: { result: unknown[] } }).data.result;
  if (result.length !== Math.min(10, SERIES)) throw new Error(`expected one series per job, got ${result.length}`);
  return ms;
}

runWithAllInOne('tf-bench-promql-', API_KEY, async (server) => {
  const ch = server.clickhouse;
  const days = { rawDays: 31, hourlyDays: 90, dailyDays: 400 };
  const put = await fetch(`${server.apiUrl}/api/v1/retention`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ spans: days, logs: days, metrics: days }),
  });
  if (put.status !== 200) throw new Error(`PUT /api/v1/retention answered ${put.status}: ${await put.text()}`);
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const points = await load(ch, end);
  await mergeRollups(ch);

  const cases = [
    { name: '24 h, 60 s step', start: end - DAY_MS, step: 60 },
    ...(DAYS >= 30 ? [{ name: '30 days, 1 h step', start: end - 30 * DAY_MS, step: 3600 }] : []),
  ];
  const rows: string[][] = [];
  for (const c of cases) {
    const url = `${server.apiUrl}/prometheus/api/v1/query_range?${new URLSearchParams({
      query: QUERY,
      start: String(c.start / 1000),
      end: String(end / 1000),
      step: String(c.step),
    })}`;
    for (let i = 0; i < 2; i++) await time(url);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await time(url));
    const [p50, p95] = [percentile(samples, 50), percentile(samples, 95)];
    rows.push([c.name, formatMs(p50), formatMs(p95), formatMs(Math.max(...samples))]);
    console.log(`${c.name}: p50 ${formatMs(p50)} ms, p95 ${formatMs(p95)} ms`);
  }
  console.log(`\n${await machineLine(ch)}`);
  console.log(
    `${QUERY}: ${formatInt(SERIES)} series, ${formatInt(points)} points over ${DAYS} days; ${RUNS} requests per case\n`,
  );
  console.log(renderTable(['range', 'p50 ms', 'p95 ms', 'max ms'], rows));
});
