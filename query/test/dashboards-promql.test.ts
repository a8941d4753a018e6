// PromQL panels over the real API: Postgres (throwaway database), embedded ClickHouse, and
// PROMQL_QUERIES provided by a module the way the server's composition root provides it, here
// the real engine over one in-memory source per tenant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Module, type DynamicModule } from '@nestjs/common';
import type { DashboardRenderDto } from '@telemetryflow/contract';
import { createApiKey } from '@telemetryflow/identity';
import { MemorySeriesSource, rangeQuery, instantQuery } from '@telemetryflow/promql';
import { PROMQL_QUERIES, type PromqlQueries } from '../src/index.js';
import { call, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_dashboards_promql_test_key_0001';
const T0 = 1_764_000_000_000;
const MIN = 60_000;
const dir = tempDir('tf-dashboards-promql-');
let api: TestApi;

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

@Module({})
class PromqlTestModule {}

function promqlModule(queries: PromqlQueries): DynamicModule {
  return {
    module: PromqlTestModule,
    providers: [{ provide: PROMQL_QUERIES, useValue: queries }],
    exports: [PROMQL_QUERIES],
  };
}

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, { modules: [promqlModule(memoryPromql(tenants()))] });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const layout = (y: number) => ({ x: 0, y, w: 12, h: 6 });

const DASHBOARD = {
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

async function render(id: string, step: number, body: unknown, key = KEY): Promise<Json[]> {
  const res = await call<{ data: DashboardRenderDto }>(
    api.server.url,
    `/api/v1/dashboards/${id}/render?from=${T0 + 2 * MIN}&to=${T0 + 6 * MIN + 30_000}&step=${step}`,
    { key, method: 'POST', body },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.panels as Json[];
}

async function create(key = KEY): Promise<string> {
  const res = await call(api.server.url, '/api/v1/dashboards', { key, method: 'POST', body: DASHBOARD });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data.id;
}

describe('PromQL panels', () => {
  test('render a range query at the panel step: legends, label sets, steps, variables', async () => {
    const id = await create();
    const [requests, errors, broken] = await render(id, 60, {});
    assert.equal(requests.status, 'ok', JSON.stringify(requests));
    assert.equal(requests.title, 'Requests of api');
    assert.deepEqual(requests.meta, { resolution: 'raw', step: 60 });
    assert.deepEqual(
      requests.data.series.map((s: Json) => [s.name, s.labels, s.points.map((p: Json) => p[1])]),
      [
        ['HTTP 200', { code: '200' }, [120, 180, 240, 300, 360]],
        ['HTTP 500', { code: '500' }, [null, null, 48, 60, 72]],
      ],
    );
    assert.deepEqual(
      requests.data.series[0].points.map((p: Json) => p[0]),
      [2, 3, 4, 5, 6].map((m) => T0 + m * MIN),
      'start and end on whole steps',
    );
    assert.deepEqual(
      errors.data.series.map((s: Json) => s.name),
      ['http_requests_total{code="500", job="api"}'],
    );

    const both = await render(id, 120, { variables: { job: ['api', 'worker'] } });
    assert.equal(both[0].title, 'Requests of api|worker');
    assert.deepEqual(
      both[0].data.series.map((s: Json) => [s.name, s.points.length, s.points[0][1]]),
      [
        ['HTTP 200', 3, 240],
        ['HTTP 500', 3, null],
      ],
    );
    assert.deepEqual(
      both[1].data.series.map((s: Json) => s.labels.job),
      ['api', 'worker'],
    );

    assert.equal(broken.status, 'error');
    assert.deepEqual(broken.error, {
      code: 'invalid_parameter',
      message: '1:29: parse error: unclosed left parenthesis',
    });
  });

  test("read the caller's tenant only", async () => {
    const writer = await createApiKey(api.cp.dataSource, {
      tenantId: 'beta',
      name: 'promql writer',
      scopes: ['admin'],
    });
    const id = await create(writer.key);
    const [requests, errors] = await render(id, 60, { variables: { job: ['beta-only'] } }, writer.key);
    assert.deepEqual(
      requests.data.series.map((s: Json) => s.name),
      ['HTTP 200'],
    );
    assert.deepEqual(errors.data.series, []);
  });
});
