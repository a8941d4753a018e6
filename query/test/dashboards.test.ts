// Dashboards over the real API: Postgres (throwaway database), embedded ClickHouse with the
// read-API fixtures, keys of two tenants.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DashboardDefinition, DashboardRenderDto } from '@telemetryflow/contract';
import { addMembership, createApiKey, createUser } from '@telemetryflow/identity';
import { createBuiltInDashboards, refreshBuiltInDashboards, BUILT_IN_DASHBOARDS } from '../src/index.js';
import { LOGS, M0, METRIC_SERIES, SPANS, TRACE_1, TRACE_2 } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_dashboards_test_key_default_0001';
const dir = tempDir('tf-dashboards-');
let api: TestApi;
let betaWriter: string;

before(async () => {
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertRows(ch, 'spans', SPANS);
    await insertRows(ch, 'logs', LOGS);
    await insertRows(ch, 'metric_series', METRIC_SERIES);
  });
  betaWriter = (await createApiKey(api.cp.dataSource, { tenantId: 'beta', name: 'writer', scopes: ['admin'] })).key;
});

after(async () => {
  await api?.close();
  dir.remove();
});

const url = () => api.server.url;
const layout = (y: number) => ({ x: 0, y, w: 12, h: 6 });

const SAMPLE: DashboardDefinition = {
  title: 'Checkout',
  description: 'spans and logs of checkout',
  variables: [
    {
      name: 'service',
      label: 'Service',
      source: { signal: 'spans', label: 'service' },
      default: 'payments',
      multi: false,
    },
  ],
  timeRange: { lastSeconds: 3600 },
  panels: [
    {
      type: 'stat',
      title: 'Spans of $service',
      layout: layout(0),
      query: { signal: 'spans', measure: 'count', filters: [{ label: 'service', op: '=', value: '$service' }] },
    },
    { type: 'logs', title: 'Logs', layout: layout(6), query: { service: '$service', limit: 50 } },
  ],
};

async function create(def: unknown, key = KEY): Promise<Json> {
  const res = await call(url(), '/api/v1/dashboards', { key, method: 'POST', body: def });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data;
}

const total = (points: [number, number | null][]) => points.reduce((s, [, v]) => s + (v ?? 0), 0);

describe('built-in dashboards', () => {
  test('the bootstrap tenant starts with the three templates', async () => {
    const res = await call(url(), '/api/v1/dashboards', { key: KEY });
    assert.equal(res.status, 200);
    const builtIn = res.body.data.filter((d: Json) => d.builtIn !== null);
    assert.deepEqual(builtIn.map((d: Json) => d.builtIn).sort(), [
      'logs-overview',
      'runtime-metrics',
      'service-overview',
    ]);
    const runtime = builtIn.find((d: Json) => d.builtIn === 'runtime-metrics');
    const def = (await call(url(), `/api/v1/dashboards/${runtime.id}`, { key: KEY })).body.data;
    const metrics = def.panels.map((p: Json) => p.query.metric);
    for (const name of ['nodejs.eventloop.delay.p99', 'jvm.memory.used', 'go.goroutine.count'])
      assert.ok(metrics.includes(name), name);
  });

  test('a new tenant gets each built-in template once', async () => {
    // createTenant made them for the fixture's tenant beta; running it again adds none.
    assert.equal((await api.cp.dataSource.transaction((em) => createBuiltInDashboards(em, 'beta'))).length, 0);
    const listed = (await call(url(), '/api/v1/dashboards', { key: api.betaKey })).body.data;
    assert.deepEqual(
      listed.map((d: Json) => d.title).sort(),
      Object.values(BUILT_IN_DASHBOARDS)
        .map((d) => d.title)
        .sort(),
    );
  });

  test('an unedited built-in dashboard of an existing tenant is brought to the current template at start; an edited one is left alone', async () => {
    const ds = api.cp.dataSource;
    const [beta] = (await ds.query(
      `SELECT id FROM dashboards WHERE tenant_id = 'beta' AND built_in = 'service-overview'`,
    )) as { id: string }[];
    const [logs] = (await ds.query(
      `SELECT id FROM dashboards WHERE tenant_id = 'beta' AND built_in = 'logs-overview'`,
    )) as { id: string }[];
    // As a tenant created before the template changed has them: its RED panels without `spans: 'entry'`.
    const old = structuredClone(BUILT_IN_DASHBOARDS['service-overview']!) as Json;
    for (const panel of old.panels as Json[]) delete (panel.query as Json).spans;
    await ds.query(`UPDATE dashboards SET definition = $2 WHERE id = $1`, [beta!.id, JSON.stringify(old)]);
    await ds.query(`UPDATE dashboard_versions SET definition = $2 WHERE dashboard_id = $1 AND version = 1`, [
      beta!.id,
      JSON.stringify(old),
    ]);
    // The tenant saved its own logs overview: version 2, whatever it holds, is theirs.
    const edited = { ...BUILT_IN_DASHBOARDS['logs-overview']!, description: 'ours' };
    await ds.query(`UPDATE dashboards SET definition = $2, version = 2 WHERE id = $1`, [
      logs!.id,
      JSON.stringify(edited),
    ]);

    assert.equal(await ds.transaction((em) => refreshBuiltInDashboards(em)), 1);
    const refreshed = (await call(url(), `/api/v1/dashboards/${beta!.id}`, { key: api.betaKey })).body.data;
    assert.deepEqual(refreshed.panels, JSON.parse(JSON.stringify(BUILT_IN_DASHBOARDS['service-overview']!.panels)));
    const [history] = (await ds.query(
      `SELECT definition FROM dashboard_versions WHERE dashboard_id = $1 AND version = 1`,
      [beta!.id],
    )) as { definition: Json }[];
    assert.deepEqual(history!.definition, JSON.parse(JSON.stringify(BUILT_IN_DASHBOARDS['service-overview'])));
    assert.equal(
      (await call(url(), `/api/v1/dashboards/${logs!.id}`, { key: api.betaKey })).body.data.description,
      'ours',
    );
    assert.equal(await ds.transaction((em) => refreshBuiltInDashboards(em)), 0, 'idempotent');
  });

  test('every built-in dashboard renders without a failing panel', async () => {
    const list = (await call(url(), '/api/v1/dashboards', { key: KEY })).body.data.filter(
      (d: Json) => d.builtIn !== null,
    );
    for (const d of list) {
      const res = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${d.id}/render`, {
        key: KEY,
        method: 'POST',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const failed = res.body.data.panels.filter((p) => p.status === 'error');
      assert.deepEqual(failed, [], `${d.title}: ${JSON.stringify(failed)}`);
    }
  });
});

describe('CRUD and versions', () => {
  test('create, read, update, list versions, read and restore an old version, delete', async () => {
    const created = await create(SAMPLE);
    assert.equal(created.version, 1);
    assert.equal(created.title, 'Checkout');
    const id = created.id;

    const changed = { ...SAMPLE, title: 'Checkout v2', panels: [SAMPLE.panels[0]] };
    const updated = await call(url(), `/api/v1/dashboards/${id}?version=1`, { key: KEY, method: 'PUT', body: changed });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.data.version, 2);
    assert.equal(updated.body.data.panels.length, 1);

    const stale = await call(url(), `/api/v1/dashboards/${id}?version=1`, { key: KEY, method: 'PUT', body: SAMPLE });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'version_conflict');
    assert.equal(stale.body.error.details.currentVersion, 2);

    const versions = await call(url(), `/api/v1/dashboards/${id}/versions`, { key: KEY });
    assert.deepEqual(
      versions.body.data.map((v: Json) => [v.version, v.title]),
      [
        [2, 'Checkout v2'],
        [1, 'Checkout'],
      ],
    );
    assert.ok(versions.body.data.every((v: Json) => typeof v.createdBy === 'string' && v.createdBy.startsWith('key:')));

    const v1 = await call(url(), `/api/v1/dashboards/${id}/versions/1`, { key: KEY });
    assert.equal(v1.body.data.panels.length, 2);

    const restored = await call(url(), `/api/v1/dashboards/${id}/versions/1/restore`, { key: KEY, method: 'POST' });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.data.version, 3);
    assert.equal(restored.body.data.title, 'Checkout');
    assert.equal(restored.body.data.panels.length, 2);

    assert.equal((await call(url(), `/api/v1/dashboards/${id}/versions/9`, { key: KEY })).status, 404);
    assert.equal((await call(url(), `/api/v1/dashboards/${id}/versions/x`, { key: KEY })).status, 404);
    assert.equal((await call(url(), `/api/v1/dashboards/${id}`, { key: KEY, method: 'DELETE' })).status, 204);
    assert.equal((await call(url(), `/api/v1/dashboards/${id}`, { key: KEY })).status, 404);
    assert.equal((await call(url(), `/api/v1/dashboards/${id}/versions`, { key: KEY })).status, 404);
  });

  test('export and import: the same JSON round-trips', async () => {
    const { id } = await create(SAMPLE);
    const exported = await call(url(), `/api/v1/dashboards/${id}/export`, { key: KEY });
    assert.equal(exported.status, 200);
    const json = JSON.parse(JSON.stringify(exported.body.data));
    assert.deepEqual(json, SAMPLE);
    const imported = await call(url(), '/api/v1/dashboards/import', { key: KEY, method: 'POST', body: json });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.notEqual(imported.body.data.id, id);
    const again = await call(url(), `/api/v1/dashboards/${imported.body.data.id}/export`, { key: KEY });
    assert.deepEqual(again.body.data, json);
  });

  test('invalid definitions are 400 naming the field', async () => {
    const bad = async (def: unknown, field: string) => {
      const res = await call(url(), '/api/v1/dashboards', { key: KEY, method: 'POST', body: def });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'invalid_parameter');
      assert.equal(res.body.error.details.parameter, field, JSON.stringify(res.body.error));
    };
    await bad({ ...SAMPLE, panels: [{ ...SAMPLE.panels[0], type: 'sparkline' }] }, 'panels.0.type');
    await bad(
      { ...SAMPLE, panels: [{ ...SAMPLE.panels[0], layout: { x: 20, y: 0, w: 8, h: 2 } }] },
      'panels.0.layout.w',
    );
    await bad(
      { ...SAMPLE, panels: [{ ...SAMPLE.panels[0], query: { signal: 'spans', measure: 'median' } }] },
      'panels.0.query.measure',
    );
    await bad({ ...SAMPLE, variables: [SAMPLE.variables![0], SAMPLE.variables![0]] }, 'variables.1.name');
    await bad({ panels: [] }, 'title');
  });

  test('panel options nested 8,000 levels deep, or too large, are 400 naming them; 16 levels are kept', async () => {
    const nested = (levels: number) => {
      let v: Record<string, unknown> = { leaf: true };
      for (let i = 1; i < levels; i++) v = { a: v };
      return v;
    };
    const withOptions = (options: unknown) => ({ ...SAMPLE, panels: [{ ...SAMPLE.panels[0], options }] });
    // JSON.stringify itself overflows the stack at 8,000 levels: the deep body is written as text.
    const marker = '"__deep__"';
    const deepBody = JSON.stringify(withOptions('__deep__')).replace(
      marker,
      `${'{"a":'.repeat(7999)}{"leaf":true}${'}'.repeat(7999)}`,
    );
    for (const [body, message] of [
      [deepBody, /at most 16 levels deep/],
      [withOptions({ a: [[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]] }), /at most 16 levels deep/],
      [withOptions({ text: 'x'.repeat(70_000) }), /at most 65536 characters/],
    ] as const) {
      const res = await call(url(), '/api/v1/dashboards', { key: KEY, method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 500));
      assert.equal(res.body.error.code, 'invalid_parameter');
      assert.equal(res.body.error.details.parameter, 'panels.0.options');
      assert.match(res.body.error.message, message);
    }
    const kept = await create(withOptions(nested(16)));
    const read = await call(url(), `/api/v1/dashboards/${kept.id}`, { key: KEY });
    assert.deepEqual(read.body.data.panels[0].options, nested(16));
  });
});

describe('access and tenants', () => {
  test('users: a viewer reads but cannot write; an editor writes and is named in the version', async () => {
    const login = async (role: 'viewer' | 'editor') => {
      const email = `${role}-${Date.now()}@dashboards.test`;
      const user = await createUser(api.cp.dataSource, { email, password: 'a long enough password' });
      await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role });
      const res = await call(url(), '/api/v1/auth/login', {
        method: 'POST',
        body: { email, password: 'a long enough password' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { token: res.body.data.accessToken as string, userId: user.id };
    };
    const viewer = await login('viewer');
    const editor = await login('editor');
    assert.equal((await call(url(), '/api/v1/dashboards', { key: viewer.token })).status, 200);
    assert.equal(
      (await call(url(), '/api/v1/dashboards', { key: viewer.token, method: 'POST', body: SAMPLE })).status,
      403,
    );
    const created = await create(SAMPLE, editor.token);
    const versions = await call(url(), `/api/v1/dashboards/${created.id}/versions`, { key: viewer.token });
    assert.deepEqual(
      versions.body.data.map((v: Json) => v.createdBy),
      [`user:${editor.userId}`],
    );
  });

  test('a read-only key cannot write; no credential gets 401', async () => {
    const res = await call(url(), '/api/v1/dashboards', { key: api.betaKey, method: 'POST', body: SAMPLE });
    assert.equal(res.status, 403);
    assert.equal((await call(url(), '/api/v1/dashboards')).status, 401);
  });

  test("another tenant's dashboard is 404 on every route, and is left unchanged", async () => {
    const { id } = await create(SAMPLE);
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/v1/dashboards/${id}`],
      ['PUT', `/api/v1/dashboards/${id}`, SAMPLE],
      ['DELETE', `/api/v1/dashboards/${id}`],
      ['GET', `/api/v1/dashboards/${id}/export`],
      ['GET', `/api/v1/dashboards/${id}/versions`],
      ['GET', `/api/v1/dashboards/${id}/versions/1`],
      ['POST', `/api/v1/dashboards/${id}/versions/1/restore`],
      ['POST', `/api/v1/dashboards/${id}/render`],
      ['GET', `/api/v1/dashboards/${id}/variables/service/values`],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(url(), path, { key: betaWriter, method, ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'not_found');
    }
    assert.equal((await call(url(), `/api/v1/dashboards/${id}`, { key: KEY })).body.data.version, 1);
    assert.equal((await call(url(), '/api/v1/dashboards/not-a-uuid', { key: KEY })).status, 404);
  });
});

describe('render and variables', () => {
  test('every panel runs; variables substitute into queries; the default applies when none is given', async () => {
    const { id } = await create(SAMPLE);
    const byDefault = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
    });
    assert.equal(byDefault.status, 200, JSON.stringify(byDefault.body));
    const [stat, logs] = byDefault.body.data.panels as Json[];
    assert.equal(stat.status, 'ok');
    assert.equal(stat.kind, 'series');
    assert.equal(stat.title, 'Spans of payments');
    assert.equal(total(stat.data.series[0].points), 2);
    assert.deepEqual(byDefault.body.data.variables, { service: 'payments' });
    assert.equal(logs.kind, 'logs');
    assert.deepEqual(
      logs.data.map((l: Json) => l.body.stringValue),
      ['Payment failed: card declined'],
    );

    const frontend = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
      body: { variables: { service: 'frontend' } },
    });
    const [stat2, logs2] = frontend.body.data.panels as Json[];
    assert.equal(total(stat2.data.series[0].points), 1);
    assert.equal(logs2.data.length, 2);
    assert.ok(logs2.data.every((l: Json) => l.serviceName === 'frontend'));
  });

  test('a failing panel carries its error in place; the others still answer', async () => {
    const def = {
      title: 'Partly broken',
      variables: [{ name: 're', source: { signal: 'spans', label: 'service' }, default: 'pay.*' }],
      panels: [
        {
          type: 'line',
          title: 'ok',
          layout: layout(0),
          query: { signal: 'spans', measure: 'count', groupBy: ['service'] },
        },
        {
          type: 'bar',
          title: 'bad regex',
          layout: layout(6),
          query: { signal: 'spans', measure: 'count', filters: [{ label: 'service', op: '=~', value: '$re' }] },
        },
        { type: 'traces', title: 'traces', layout: layout(12), query: { service: 'payments' } },
      ],
    };
    const { id } = await create(def);
    const good = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
    });
    assert.deepEqual(
      good.body.data.panels.map((p) => p.status),
      ['ok', 'ok', 'ok'],
    );
    const series = (good.body.data.panels[0] as Json).data.series;
    assert.deepEqual(series.map((s: Json) => [s.labels.service, total(s.points)]).sort(), [
      ['frontend', 1],
      ['payments', 2],
    ]);
    assert.equal(total((good.body.data.panels[1] as Json).data.series[0].points), 2);
    assert.equal((good.body.data.panels[2] as Json).data.length, 2);

    const broken = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
      body: { variables: { re: '(' } },
    });
    assert.equal(broken.status, 200, JSON.stringify(broken.body));
    const [ok, bad, traces] = broken.body.data.panels as Json[];
    assert.equal(ok.status, 'ok');
    assert.equal(bad.status, 'error');
    assert.equal(bad.error.code, 'invalid_parameter');
    assert.match(bad.error.message, /regular expression/);
    assert.equal(traces.status, 'ok');
  });

  test('a render of some panels runs those alone, answering each as the whole render does', async () => {
    const { id } = await create(SAMPLE);
    const now = Date.now();
    const render = (body: Json) =>
      call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render?from=${now - 3_600_000}&to=${now}`, {
        key: KEY,
        method: 'POST',
        body,
      });
    const whole = await render({});
    const logsOnly = await render({ panels: [1] });
    assert.equal(logsOnly.status, 200, JSON.stringify(logsOnly.body));
    assert.deepEqual(
      logsOnly.body.data.panels.map((p) => [p.index, p.title]),
      [[1, 'Logs']],
    );
    const { durationMs: _a, ...part } = logsOnly.body.data.panels[0]!;
    const { durationMs: _b, ...same } = whole.body.data.panels[1]!;
    assert.deepEqual(part, same);
    // Indexes past the last panel run nothing; an empty list or a bad index is refused.
    assert.deepEqual(
      (await render({ panels: [0, 7] })).body.data.panels.map((p) => p.index),
      [0],
    );
    for (const panels of [[], [-1], [1.5], 'all']) {
      const bad = await call(url(), `/api/v1/dashboards/${id}/render`, { key: KEY, method: 'POST', body: { panels } });
      assert.equal(bad.status, 400, JSON.stringify(panels));
      assert.match(bad.body.error.details.parameter, /^panels/);
    }
  });

  test('render takes from/to and refuses unknown variables', async () => {
    const { id } = await create(SAMPLE);
    const past = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render?from=1000&to=2000`, {
      key: KEY,
      method: 'POST',
    });
    assert.equal(past.status, 200, JSON.stringify(past.body));
    assert.equal(past.body.data.fromMs, 1000);
    assert.equal(total((past.body.data.panels[0] as Json).data.series[0]?.points ?? []), 0);
    const unknown = await call(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
      body: { variables: { nope: 'x' } },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.details.parameter, 'variables.nope');
  });

  test("a variable's values are its label's values in the caller's tenant", async () => {
    const { id } = await create(SAMPLE);
    const res = await call(url(), `/api/v1/dashboards/${id}/variables/service/values`, { key: KEY });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.data, ['frontend', 'payments']);
    assert.equal((await call(url(), `/api/v1/dashboards/${id}/variables/nope/values`, { key: KEY })).status, 404);
  });

  test('logs and traces panels take the search filters: minSeverity, attributes, sort', async () => {
    const { id } = await create({
      title: 'Search panels',
      panels: [
        { type: 'logs', title: 'warnings', layout: layout(0), query: { minSeverity: 'WARN' } },
        { type: 'logs', title: 'order 42', layout: layout(6), query: { attributes: { 'attr.order_id': '42' } } },
        { type: 'traces', title: 'slowest', layout: layout(12), query: { sort: 'slowest' } },
      ],
    });
    const res = await call<{ data: DashboardRenderDto }>(url(), `/api/v1/dashboards/${id}/render`, {
      key: KEY,
      method: 'POST',
    });
    const [warnings, order, slowest] = res.body.data.panels as Json[];
    assert.deepEqual(
      warnings.data.map((l: Json) => l.severityNumber),
      [13, 17],
    );
    assert.deepEqual(
      order.data.map((l: Json) => l.body.stringValue),
      ['Payment failed: card declined'],
    );
    assert.deepEqual(
      slowest.data.map((t: Json) => t.traceId),
      [TRACE_1, TRACE_2],
    );
  });

  test("variable values: operations, attributes, log services, metric labels of one metric or of all; never another tenant's", async () => {
    const { id } = await create({
      title: 'Variables',
      variables: [
        { name: 'op', source: { signal: 'spans', label: 'operation' } },
        { name: 'method', source: { signal: 'spans', label: 'attr.http.method' } },
        { name: 'order', source: { signal: 'logs', label: 'attr.order_id' } },
        { name: 'logsvc', source: { signal: 'logs', label: 'service' } },
        { name: 'host', source: { signal: 'metrics', metric: 'system.memory.usage', label: 'host.name' } },
        { name: 'svc', source: { signal: 'metrics', label: 'service.name' } },
      ],
      panels: [],
    });
    const values = async (name: string, range = '') => {
      const res = await call(url(), `/api/v1/dashboards/${id}/variables/${name}/values${range}`, { key: KEY });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data;
    };
    assert.deepEqual(await values('op'), ['GET /checkout', 'charge', 'refund']);
    assert.deepEqual(await values('method'), ['GET']);
    assert.deepEqual(await values('order'), ['42']);
    assert.deepEqual(await values('logsvc'), ['frontend', 'payments']);
    const aroundM0 = `?from=${M0 - 7_200_000}&to=${M0 + 3_600_000}`;
    assert.deepEqual(await values('host', aroundM0), ['h1', 'h2', 'h3']);
    assert.deepEqual(await values('svc', aroundM0), ['api', 'worker']);
    assert.deepEqual(await values('svc'), []);
  });
});
