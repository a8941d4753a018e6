// `pnpm bench:rollups`: loads 30 days of generated spans, logs and gauge points straight
// into the all-in-one's ClickHouse (INSERT … SELECT FROM numbers(), so the rollup views
// fire as on ingest), then times aggregate API requests through the planner and forced
// raw, and prints bytes on disk per row. Sizes: TF_BENCH_SPANS, TF_BENCH_LOGS,
// TF_BENCH_POINTS (defaults 10M, 10M, 2M); TF_BENCH_RUNS requests per case (default 20).
import { performance } from 'node:perf_hooks';
import { envInt, loadRows, machineLine, runWithAllInOne, type ClickHouseClient } from './bench-store.js';
import { insertGaugeSeries, LOGS_SQL, mergeRollups, POINTS_SQL, SPANS_SQL } from './generated-telemetry.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_rollups_key_0000000000000001';
const DAY_MS = 86_400_000;

const SPANS = envInt('TF_BENCH_SPANS', 10_000_000);
const LOGS = envInt('TF_BENCH_LOGS', 10_000_000);
const POINTS = envInt('TF_BENCH_POINTS', 2_000_000);
const RUNS = envInt('TF_BENCH_RUNS', 20);

interface Case {
  name: string;
  path: string;
}

async function time(url: string): Promise<{ ms: number; resolution: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
  const body = (await res.json()) as { meta?: { resolution?: string } };
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, resolution: body.meta?.resolution ?? '?' };
}

async function measure(
  base: string,
  path: string,
  runs: number,
): Promise<{ p50: number; p95: number; resolution: string }> {
  for (let i = 0; i < 2; i++) await time(base + path);
  const samples: number[] = [];
  let resolution = '';
  for (let i = 0; i < runs; i++) {
    const r = await time(base + path);
    samples.push(r.ms);
    resolution = r.resolution;
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), resolution };
}

async function sizes(ch: ClickHouseClient): Promise<string[][]> {
  const rs = await ch.query({
    query: `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = currentDatabase() AND active AND table IN {tables:Array(String)}
            GROUP BY table ORDER BY table`,
    query_params: {
      tables: [
        'spans',
        'trace_index',
        'logs',
        'metrics_gauge',
        'spans_red_hourly',
        'spans_red_daily',
        'spans_service_red_hourly',
        'spans_service_red_daily',
        'logs_volume_hourly',
        'logs_volume_daily',
        'metrics_value_hourly',
        'metrics_value_daily',
      ],
    },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ table: string; rows: string; bytes: string }>();
  return rows.map((r) => [
    r.table,
    formatInt(Number(r.rows)),
    formatInt(Number(r.bytes)),
    (Number(r.bytes) / Number(r.rows)).toFixed(1),
  ]);
}

runWithAllInOne('tf-bench-rollups-', API_KEY, async (server) => {
  const ch = server.clickhouse;
  // The raw side of the comparison needs the whole month: keep raw data 31 days.
  const days = { rawDays: 31, hourlyDays: 90, dailyDays: 400 };
  const put = await fetch(`${server.apiUrl}/api/v1/retention`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ spans: days, logs: days, metrics: days }),
  });
  if (put.status !== 200) throw new Error(`PUT /api/v1/retention answered ${put.status}: ${await put.text()}`);
  const now = Date.now();
  const window = { start: now - 30 * DAY_MS, end: now - 60_000 };
  await loadRows(ch, 'spans', SPANS, SPANS_SQL, window);
  await loadRows(ch, 'logs', LOGS, LOGS_SQL, window);
  await insertGaugeSeries(ch, window);
  await loadRows(ch, 'gauge points', POINTS, POINTS_SQL, window);
  await mergeRollups(ch);

  const range = (days: number) => `from=${now - days * DAY_MS}&to=${now}`;
  const cases: Case[] = [
    { name: 'service RED, 1 hour', path: `/api/v1/services/svc-7/red?from=${now - 3_600_000}&to=${now}` },
    { name: 'service RED, 1 day', path: `/api/v1/services/svc-7/red?${range(1)}` },
    { name: 'service RED, 7 days', path: `/api/v1/services/svc-7/red?${range(7)}` },
    { name: 'service RED, 30 days', path: `/api/v1/services/svc-7/red?${range(30)}` },
    { name: 'operations, 7 days', path: `/api/v1/services/svc-7/operations?${range(7)}` },
    { name: 'log volume, 30 days', path: `/api/v1/logs/volume?${range(30)}` },
    { name: 'services, 30 days', path: `/api/v1/services?${range(30)}` },
  ];
  const rows: string[][] = [];
  for (const c of cases) {
    const planned = await measure(server.apiUrl, c.path, RUNS);
    const raw = await measure(server.apiUrl, `${c.path}&resolution=raw`, Math.max(5, Math.floor(RUNS / 2)));
    rows.push([
      c.name,
      planned.resolution,
      formatMs(planned.p50),
      formatMs(planned.p95),
      formatMs(raw.p50),
      formatMs(raw.p95),
      `${(raw.p50 / planned.p50).toFixed(1)}×`,
    ]);
    console.log(
      `${c.name}: planner (${planned.resolution}) p50 ${formatMs(planned.p50)} ms, p95 ${formatMs(planned.p95)} ms; raw p50 ${formatMs(raw.p50)} ms, p95 ${formatMs(raw.p95)} ms`,
    );
  }
  console.log(`\n${await machineLine(ch)}`);
  console.log(
    `${formatInt(SPANS)} spans, ${formatInt(LOGS)} logs, ${formatInt(POINTS)} gauge points over 30 days; ${RUNS} requests per case through the planner, ${Math.max(5, Math.floor(RUNS / 2))} raw\n`,
  );
  console.log(
    renderTable(
      ['request', 'planner reads', 'planner p50 ms', 'p95 ms', 'raw p50 ms', 'p95 ms', 'speed-up (p50)'],
      rows,
    ),
  );
  console.log();
  console.log(renderTable(['table', 'rows', 'bytes on disk', 'bytes / row'], await sizes(ch)));
});
