// PromQL panels: the renderer over real Postgres and embedded ClickHouse with the real PromQL
// engine over one in-memory source per tenant as its PromqlQueries, and the API's own wiring
// (PROMQL_QUERIES of the app, over ClickHouse).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DashboardDefinition, DashboardRenderDto, PanelResult } from '@telemetryflow/contract';
import { createApiKey } from '@telemetryflow/identity';
import { instantQuery, MemorySeriesSource, rangeQuery } from '@telemetryflow/promql';
import { ClickHouseReader } from '../src/clickhouse-reader.js';
import { DashboardRenderer } from '../src/dashboards/dashboard-renderer.js';
import { DashboardsRepository, insertDashboard } from '../src/dashboards/dashboards.repository.js';
import { LogsRepository } from '../src/logs/logs.repository.js';
import { LogsService } from '../src/logs/logs.service.js';
import { QueryPlanner } from '../src/planner/query-planner.js';
import type { PromqlQueries } from '../src/prometheus/promql-queries.js';
import { queryLimits } from '../src/query-limits.js';
import { clickHouseRetention } from '../src/query-runner/clickhouse-retention.js';
import { QueryRunner } from '../src/query-runner/query-runner.js';
import { TracesRepository } from '../src/traces/traces.repository.js';
import { TracesService } from '../src/traces/traces.service.js';
import { call, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_dashboards_promql_test_key_0001';
const T0 = 1_764_000_000_000;
const MIN = 60_000;
const dir = tempDir('tf-dashboards-promql-');
let api: TestApi;
let renderer: DashboardRenderer;

/** Request counters of two jobs, 1/s with code 200 and from minute 4 on 0.2/s with code 500; tenant beta has another job. */
function tenants(): Map<string, MemorySeriesSource> {
  const mine = new MemorySeriesSource();
  const beta = new MemorySeriesSource();
  for (let t = T0; t <= T0 + 20 * MIN; t += 15_000) {
    for (const job of ['api', 'worker']) {
      mine.append({ __name__: 'http_requests_total', job, code: '200' }, t, (t - T0) / 1000);
      if (t >= T0 + 4 * MIN) mine.append({ __name__: 'http_requests_total', job, code: '500' }, t, (t - T0) / 5000);
    }
    beta.append({ __name__: 'http_requests_total', job: 'beta-only', code: '200' }, t, 1);
  }
  return new Map([
    ['default', mine],
    ['beta', beta],
  ]);
}

function memoryPromql(sources: Map<string, MemorySeriesSource>): PromqlQueries {
  const of = (tenant: string) => sources.get(tenant) ?? new MemorySeriesSource();
  return {
    instant: (tenant, expr, timeMs, signal) => instantQuery(of(tenant), expr, timeMs, signal ? { signal } : {}),
    range: (tenant, expr, startMs, endMs, stepMs, signal) =>
      rangeQuery(of(tenant), expr, startMs, endMs, stepMs, signal ? { signal } : {}),
  };
}

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {});
  const limits = queryLimits();
  const reader = new ClickHouseReader(api.ch, limits);
  renderer = new DashboardRenderer(
    new DashboardsRepository(api.cp),
    new QueryRunner({ clickhouse: api.ch, limits }),
    new LogsService(new LogsRepository(reader), new QueryPlanner(clickHouseRetention(api.ch), api.ch), limits),
    new TracesService(new TracesRepository(reader), limits),
    memoryPromql(tenants()),
  );
});

after(async () => {
  await api?.close();
  dir.remove();
});

const layout = (y: number) => ({ x: 0, y, w: 12, h: 6 });

const DASHBOARD: DashboardDefinition = {
  title: 'HTTP (PromQL)',
  variables: [
    {
      name: 'job',
      source: { signal: 'metrics', metric: 'http_requests_total', label: 'job' },
      default: ['api'],
      multi: true,
    },
  ],
  panels: [
    {
      type: 'line',
      title: 'Requests of $job',
      layout: layout(0),
      query: { signal: 'promql', expr: 'sum by (code) (http_requests_total{job=~"$job"})', legend: 'HTTP {{code}}' },
    },
    {
      type: 'stat',
      title: 'Errors',
      layout: layout(6),
      query: { signal: 'promql', expr: 'http_requests_total{code="500", job=~"$job"}' },
    },
    {
      type: 'line',
      title: 'Broken',
      layout: layout(12),
      query: { signal: 'promql', expr: 'rate(http_requests_total[5m]' },
    },
  ],
};

const RANGE = { from: T0 + 2 * MIN, to: T0 + 6 * MIN + 30_000 };

async function render(tenant: string, step: number, variables = {}): Promise<Json[]> {
  const { id } = await insertDashboard(api.cp.dataSource, tenant, DASHBOARD, null);
  return (await renderer.render(tenant, id, { ...RANGE, step, variables })).panels as Json[];
}

const values = (p: PanelResult) =>
  p.status === 'ok' && p.kind === 'series' ? p.data.series.map((s) => [s.name, s.points.map((x) => x[1])]) : p;

describe('PromQL panels', () => {
  test('render a range query at the panel step: legends, label sets, whole steps, variables', async () => {
    const [requests, errors, broken] = await render('default', 60);
    assert.equal(requests.status, 'ok', JSON.stringify(requests));
    assert.equal(requests.title, 'Requests of api');
    assert.deepEqual(requests.meta, { resolution: 'raw', step: 60 });
    assert.deepEqual(
      requests.data.series.map((s: Json) => s.labels),
      [{ code: '200' }, { code: '500' }],
    );
    assert.deepEqual(values(requests), [
      ['HTTP 200', [120, 180, 240, 300, 360]],
      ['HTTP 500', [null, null, 48, 60, 72]],
    ]);
    assert.deepEqual(
      requests.data.series[0].points.map((p: Json) => p[0]),
      [2, 3, 4, 5, 6].map((m) => T0 + m * MIN),
      'start and end on whole steps',
    );
    assert.deepEqual(values(errors), [['http_requests_total{code="500", job="api"}', [null, null, 48, 60, 72]]]);
    assert.deepEqual(broken.status, 'error');
    assert.deepEqual(broken.error, {
      code: 'invalid_parameter',
      message: '1:29: parse error: unclosed left parenthesis',
    });

    const both = await render('default', 120, { job: ['api', 'worker'] });
    assert.equal(both[0].title, 'Requests of api|worker');
    assert.deepEqual(values(both[0]), [
      ['HTTP 200', [240, 480, 720]],
      ['HTTP 500', [null, 96, 144]],
    ]);
    assert.deepEqual(
      both[1].data.series.map((s: Json) => s.labels.job),
      ['api', 'worker'],
    );
  });

  test("read the rendering tenant's series only", async () => {
    const [requests, errors] = await render('beta', 60, { job: ['beta-only'] });
    assert.deepEqual(values(requests), [['HTTP 200', [1, 1, 1, 1, 1]]]);
    assert.deepEqual(errors.data.series, []);
  });

  test("the API renders PromQL panels through the app's PromQL queries", async () => {
    const writer = await createApiKey(api.cp.dataSource, { tenantId: 'beta', name: 'promql', scopes: ['admin'] });
    const created = await call(api.server.url, '/api/v1/dashboards', {
      key: writer.key,
      method: 'POST',
      body: {
        title: 'Constant',
        panels: [
          { type: 'line', title: 'one', layout: layout(0), query: { signal: 'promql', expr: 'vector(1)' } },
          { type: 'line', title: 'bad', layout: layout(6), query: { signal: 'promql', expr: 'up ==' } },
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const res = await call<{ data: DashboardRenderDto }>(
      api.server.url,
      `/api/v1/dashboards/${created.body.data.id}/render?from=${RANGE.from}&to=${RANGE.to}&step=60`,
      { key: writer.key, method: 'POST' },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [one, bad] = res.body.data.panels;
    assert.deepEqual(values(one!), [['vector(1)', [1, 1, 1, 1, 1]]]);
    assert.deepEqual(bad, {
      ...bad,
      status: 'error',
      error: { code: 'invalid_parameter', message: '1:6: parse error: unexpected end of input' },
    });
  });
});
