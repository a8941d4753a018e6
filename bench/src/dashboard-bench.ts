// `pnpm bench:dashboard`: loads a week of generated spans, logs and gauge points straight
// into the all-in-one's ClickHouse, creates a dashboard of 8 chart panels over the last
// 7 days in hour steps (answered from hourly rollups plus the newest partial hour raw), and times
// `POST /api/v1/dashboards/{id}/render`. Sizes: TF_BENCH_SPANS, TF_BENCH_LOGS, TF_BENCH_POINTS
// (defaults 5M, 5M, 1M); TF_BENCH_RUNS renders (default 30).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { DashboardDefinition, DashboardRenderDto } from '@telemetryflow/contract';
import { envInt, loadRows, machineLine, runWithAllInOne } from './bench-store.js';
import { insertGaugeSeries, LOGS_SQL, mergeRollups, POINTS_SQL, SPANS_SQL } from './generated-telemetry.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_dashboard_key_00000000000001';
const DAY_MS = 86_400_000;

const SPANS = envInt('TF_BENCH_SPANS', 5_000_000);
const LOGS = envInt('TF_BENCH_LOGS', 5_000_000);
const POINTS = envInt('TF_BENCH_POINTS', 1_000_000);
const RUNS = envInt('TF_BENCH_RUNS', 30);

const at = (i: number) => ({ x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 });

const DASHBOARD: DashboardDefinition = {
  title: 'Bench: 8 panels',
  // Hour steps: whole hours come from the hourly rollups (a step an hour does not divide reads raw rows).
  timeRange: { lastSeconds: 7 * 86_400, stepSeconds: 3600 },
  panels: [
    {
      type: 'line',
      title: 'Request rate by service',
      layout: at(0),
      query: { signal: 'spans', measure: 'rate', groupBy: ['service'] },
    },
    {
      type: 'line',
      title: 'p95 by service',
      layout: at(1),
      query: { signal: 'spans', measure: 'p95', groupBy: ['service'] },
    },
    { type: 'stat', title: 'Error rate', layout: at(2), query: { signal: 'spans', measure: 'error_rate' } },
    {
      type: 'area',
      title: 'Errors of svc-7 by operation',
      layout: at(3),
      query: {
        signal: 'spans',
        measure: 'errors',
        filters: [{ label: 'service', op: '=', value: 'svc-7' }],
        groupBy: ['operation'],
      },
    },
    {
      type: 'table',
      title: 'Operations of svc-7, p99',
      layout: at(4),
      query: {
        signal: 'spans',
        measure: 'p99',
        filters: [{ label: 'service', op: '=', value: 'svc-7' }],
        groupBy: ['operation'],
      },
    },
    {
      type: 'bar',
      title: 'Logs by severity',
      layout: at(5),
      query: { signal: 'logs', measure: 'count', groupBy: ['severity'] },
    },
    {
      type: 'pie',
      title: 'Errors by service',
      layout: at(6),
      query: { signal: 'logs', measure: 'count', minSeverity: 'ERROR', groupBy: ['service'] },
    },
    {
      type: 'line',
      title: 'Queue depth',
      layout: at(7),
      query: { signal: 'metrics', metric: 'queue.depth', aggregation: 'avg' },
    },
  ],
};

async function render(base: string, id: string): Promise<{ ms: number; body: DashboardRenderDto }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/dashboards/${id}/render`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const body = (await res.json()) as { data: DashboardRenderDto };
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`render answered ${res.status}: ${JSON.stringify(body)}`);
  const failed = body.data.panels.filter((p) => p.status === 'error');
  if (failed.length > 0) throw new Error(`panels failed: ${JSON.stringify(failed)}`);
  return { ms, body: body.data };
}

runWithAllInOne('tf-bench-dashboard-', API_KEY, async (server) => {
  const ch = server.clickhouse;
  const now = Date.now();
  const window = { start: now - 7 * DAY_MS, end: now - 60_000 };
  await loadRows(ch, 'spans', SPANS, SPANS_SQL, window);
  await loadRows(ch, 'logs', LOGS, LOGS_SQL, window);
  await insertGaugeSeries(ch, window);
  await loadRows(ch, 'gauge points', POINTS, POINTS_SQL, window);
  await mergeRollups(ch);

  const created = await fetch(`${server.apiUrl}/api/v1/dashboards`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(DASHBOARD),
  });
  const { data } = (await created.json()) as { data: { id: string } };
  if (created.status !== 201) throw new Error(`creating the dashboard answered ${created.status}`);

  for (let i = 0; i < 3; i++) await render(server.apiUrl, data.id);
  const samples: number[] = [];
  const perPanel: number[][] = DASHBOARD.panels.map(() => []);
  let last: DashboardRenderDto | undefined;
  for (let i = 0; i < RUNS; i++) {
    const r = await render(server.apiUrl, data.id);
    samples.push(r.ms);
    r.body.panels.forEach((p, j) => perPanel[j]!.push(p.durationMs));
    last = r.body;
  }
  // The machine may be shared: the 1-minute load average says how much else ran.
  console.log(
    `\n${await machineLine(ch)}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
  );
  console.log(
    `${formatInt(SPANS)} spans, ${formatInt(LOGS)} logs, ${formatInt(POINTS)} gauge points over 7 days; ${RUNS} renders of 8 panels over the last 7 days in 1 h steps\n`,
  );
  console.log(
    renderTable(
      ['panel', 'reads', 'p50 ms', 'p95 ms'],
      DASHBOARD.panels.map((p, j) => {
        const result = last!.panels[j]!;
        return [
          p.title,
          result.status === 'ok' && result.kind === 'series' ? result.meta.resolution : '-',
          formatMs(percentile(perPanel[j]!, 50)),
          formatMs(percentile(perPanel[j]!, 95)),
        ];
      }),
    ),
  );
  console.log(
    `\nrender (HTTP, all 8 panels): p50 ${formatMs(percentile(samples, 50))} ms, p95 ${formatMs(percentile(samples, 95))} ms (target ≤ 500 ms)`,
  );
});
