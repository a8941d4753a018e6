import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startQueryServer } from '../src/app/index.js';
import { MIN, ns } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_search_api_test_key_default_0001';
const T = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
const dir = tempDir('tf-search-api-');
let api: TestApi;

const id = (prefix: string, n: number, bytes: number) => (prefix + n.toString(16)).padStart(bytes * 2, '0');

function span(o: {
  tenant?: string;
  trace: string;
  span: string;
  parent?: string;
  service: string;
  name: string;
  ms: number;
  durMs: number;
  error?: boolean;
  attrs?: Record<string, string>;
  env?: string;
}) {
  return {
    TenantId: o.tenant ?? 'default',
    TraceIdHex: o.trace,
    SpanIdHex: o.span,
    ParentSpanIdHex: o.parent ?? '',
    ServiceName: o.service,
    Name: o.name,
    Kind: 'SPAN_KIND_SERVER',
    StartTime: ns(o.ms),
    EndTimeNs: ns(o.ms + o.durMs),
    DurationNs: String(o.durMs * 1_000_000),
    StatusCode: o.error ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
    ResourceAttributes: { 'service.name': o.service, 'deployment.environment': o.env ?? 'prod' },
    Attributes: o.attrs ?? {},
  };
}

function log(o: {
  tenant?: string;
  ms: number;
  service: string;
  sev: number;
  body: string;
  trace?: string;
  attrs?: Record<string, string>;
}) {
  return {
    TenantId: o.tenant ?? 'default',
    Timestamp: ns(o.ms),
    ObservedTimestamp: ns(o.ms),
    TraceIdHex: o.trace ?? '',
    ServiceName: o.service,
    SeverityNumber: o.sev,
    SeverityText: '',
    Body: o.body,
    Attributes: o.attrs ?? {},
    ResourceAttributes: { 'service.name': o.service },
  };
}

/** Twelve single-span traces that all start at T (ties), durations 1 … 12 ms; routes /r0 … /r3; user.id unique. */
const TIED = Array.from({ length: 12 }, (_, i) =>
  span({
    trace: id('a', i, 16),
    span: id('a', i, 8),
    service: 'api',
    name: 'GET',
    ms: T,
    durMs: i + 1,
    error: i % 4 === 0,
    attrs: { 'http.route': `/r${i % 4}`, 'user.id': `user-${i}` },
    env: i < 6 ? 'prod' : 'dev',
  }),
);
/** Forty two-span traces spread over 8 minutes (the first-inserted span sometimes the later one), for the newest-first order. */
const SPREAD = Array.from({ length: 40 }, (_, i) => {
  const ms = T + 2 * MIN + ((i * 7919) % 480) * 1000;
  return [
    span({ trace: id('c', i, 16), span: id('c', i, 8), service: 'spread', name: 'a', ms, durMs: 5 }),
    span({ trace: id('c', i, 16), span: id('d', i, 8), service: 'spread', name: 'b', ms: ms - (i % 3), durMs: 5 }),
  ];
}).flat();
const MAP_TRACE = 'f'.repeat(32);
/** frontend → checkout → payments (error) and checkout → inventory; the payments span arrives in a later batch. */
const MAP_FIRST = [
  span({ trace: MAP_TRACE, span: '1'.repeat(16), service: 'frontend', name: 'GET /buy', ms: T + MIN, durMs: 100 }),
  span({
    trace: MAP_TRACE,
    span: '2'.repeat(16),
    parent: '1'.repeat(16),
    service: 'checkout',
    name: 'buy',
    ms: T + MIN + 5,
    durMs: 80,
  }),
  span({
    trace: MAP_TRACE,
    span: '3'.repeat(16),
    parent: '2'.repeat(16),
    service: 'inventory',
    name: 'reserve',
    ms: T + MIN + 10,
    durMs: 20,
  }),
  span({
    trace: MAP_TRACE,
    span: '5'.repeat(16),
    parent: '2'.repeat(16),
    service: 'checkout',
    name: 'local work',
    ms: T + MIN + 40,
    durMs: 3,
  }),
];
const MAP_LATER = [
  span({
    trace: MAP_TRACE,
    span: '4'.repeat(16),
    parent: '2'.repeat(16),
    service: 'payments',
    name: 'charge',
    ms: T + MIN + 30,
    durMs: 40,
    error: true,
  }),
];

const LOGS = [
  // Five records at the same instant: pages must neither repeat nor skip one.
  ...Array.from({ length: 5 }, (_, i) => log({ ms: T + 2 * MIN, service: 'api', sev: 9, body: `tick ${i}` })),
  log({
    ms: T + 3 * MIN,
    service: 'checkout',
    sev: 17,
    body: 'Payment FAILED: card declined',
    trace: MAP_TRACE,
    attrs: { order: '42' },
  }),
  log({ ms: T + 3 * MIN + 1, service: 'checkout', sev: 13, body: 'declined card on retry', trace: MAP_TRACE }),
  log({ ms: T + 4 * MIN, service: 'payments', sev: 21, body: 'paymentservice crashed' }),
  log({
    tenant: 'beta',
    ms: T + 3 * MIN,
    service: 'checkout',
    sev: 17,
    body: 'Payment FAILED: card declined',
    trace: MAP_TRACE,
  }),
];

before(async () => {
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertRows(ch, 'spans', [
      ...TIED,
      ...MAP_FIRST,
      span({ tenant: 'beta', trace: MAP_TRACE, span: '9'.repeat(16), service: 'beta-svc', name: 'x', ms: T, durMs: 1 }),
    ]);
    await insertRows(ch, 'spans', MAP_LATER);
    await insertRows(ch, 'spans', SPREAD);
    await insertRows(ch, 'logs', LOGS);
  });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const get = (path: string, key = KEY) => call<Json>(api.server.url, path, { key });
const range = `from=${T - MIN}&to=${T + 10 * MIN}`;

describe('trace search', () => {
  test('the heatmap counts every trace the search lists, by start step and duration band, with failures', async () => {
    for (const qs of ['', 'attr.http.route=/r0&status=error', 'service=payments', 'minDurationMs=8']) {
      const [heat, listed] = await Promise.all([
        get(`/api/v1/traces/heatmap?${range}&stepSeconds=60&${qs}`),
        get(`/api/v1/traces?${range}&limit=1000&${qs}`),
      ]);
      assert.equal(heat.status, 200, JSON.stringify(heat.body));
      const cells = heat.body.data as Json[];
      assert.equal(
        cells.reduce((n: number, c: Json) => n + c.count, 0),
        listed.body.data.length,
        qs,
      );
      assert.equal(
        cells.reduce((n: number, c: Json) => n + c.errors, 0),
        listed.body.data.filter((t: Json) => t.errorCount > 0).length,
        qs,
      );
      // Each listed trace lies in the cell of its start step and duration band.
      for (const t of listed.body.data as Json[]) {
        const start = Number(BigInt(t.startTimeUnixNano) / 1_000_000n);
        const band = Math.max(-10, Math.floor(Math.log2(Math.max(1, Number(t.durationNs)) / 1e6)));
        assert.ok(
          cells.some((c: Json) => c.t === Math.floor(start / 60_000) * 60_000 && c.band === band),
          `${qs}: ${t.traceId} in band ${band}`,
        );
      }
    }
  });

  test('attribute and resource filters match one span; the status filter the trace', async () => {
    const ids = async (qs: string) => {
      const r = await get(`/api/v1/traces?${range}&${qs}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data.map((t: Json) => t.traceId).sort();
    };
    assert.deepEqual(
      await ids('attr.http.route=/r1'),
      [1, 5, 9].map((i) => id('a', i, 16)),
    );
    assert.deepEqual(
      await ids('attr.http.route=/r1&resource.deployment.environment=dev'),
      [9].map((i) => id('a', i, 16)),
    );
    assert.deepEqual(
      await ids('attr.http.route=/r0&status=error'),
      [0, 4, 8].map((i) => id('a', i, 16)),
    );
    assert.deepEqual(await ids('attr.user.id=user-7&minDurationMs=8'), [id('a', 7, 16)]);
    assert.deepEqual(await ids('service=payments'), [MAP_TRACE]);
    assert.deepEqual(await ids('attr.http.route=/nope'), []);
  });

  test('slowest first; cursor pages are stable under ties and cover every trace once', async () => {
    const slow = await get(`/api/v1/traces?${range}&sort=slowest&limit=3`);
    assert.deepEqual(
      slow.body.data.map((t: Json) => t.durationNs),
      ['100000000', '12000000', '11000000'],
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await get(`/api/v1/traces?${range}&service=api&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      seen.push(...r.body.data.map((t: Json) => t.traceId));
      cursor = r.body.meta.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    // All twelve start at T: the order among them is by trace id.
    assert.deepEqual(seen, TIED.map((s) => s.TraceIdHex).sort());
    const slowPage2 = await get(`/api/v1/traces?${range}&sort=slowest&limit=3&cursor=${slow.body.meta.nextCursor}`);
    assert.deepEqual(
      slowPage2.body.data.map((t: Json) => t.durationNs),
      ['10000000', '9000000', '8000000'],
    );
    // A cursor is only valid for its own sort.
    const mixed = await get(`/api/v1/traces?${range}&cursor=${slow.body.meta.nextCursor}`);
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.error.details.parameter, 'cursor');
    assert.equal((await get(`/api/v1/traces?${range}&cursor=garbage`)).status, 400);
    assert.equal((await get(`/api/v1/traces?${range}&colour=red`)).body.error.details.parameter, 'colour');
    assert.equal((await get(`/api/v1/traces?${range}&sort=fastest`)).body.error.details.parameter, 'sort');
  });

  test('newest first pages equal the order of first span starts, whatever the window the search reads first', async () => {
    const starts = new Map<string, number>();
    for (const sp of SPREAD)
      starts.set(
        sp.TraceIdHex,
        Math.min(starts.get(sp.TraceIdHex) ?? Infinity, Number(BigInt(sp.StartTime) / 1_000_000n)),
      );
    const expected = [...starts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([t]) => t);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(`/api/v1/traces?${range}&service=spread&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.data.map((t: Json) => t.traceId));
      cursor = r.body.meta.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, expected);
    const errorsOnly = await get(`/api/v1/traces?${range}&status=error&limit=2`);
    assert.deepEqual(
      errorsOnly.body.data.map((t: Json) => t.traceId),
      [MAP_TRACE, id('a', 0, 16)],
    );
  });

  test('trace by id with include=logs returns its logs (of this tenant only)', async () => {
    const r = await get(`/api/v1/traces/${MAP_TRACE}?include=logs`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.spans.length, 5);
    assert.deepEqual(
      r.body.data.logs.map((l: Json) => l.body.stringValue),
      ['Payment FAILED: card declined', 'declined card on retry'],
    );
    const plain = await get(`/api/v1/traces/${MAP_TRACE}`);
    assert.equal(plain.body.data.logs, undefined);
    assert.equal((await get(`/api/v1/traces/${MAP_TRACE}?include=everything`)).status, 400);
  });

  test('attribute key and value suggestions', async () => {
    const keys = await get(`/api/v1/traces/attributes?${range}`);
    assert.equal(keys.status, 200, JSON.stringify(keys.body));
    const byKey = Object.fromEntries(keys.body.data.map((k: Json) => [k.key, k.count]));
    assert.equal(byKey['attr.http.route'], 12);
    assert.equal(byKey['resource.service.name'], 17 + SPREAD.length);
    const routes = await get(`/api/v1/traces/attributes/attr.http.route/values?${range}`);
    assert.deepEqual([...routes.body.data].sort(), ['/r0', '/r1', '/r2', '/r3']);
    const users = await get(`/api/v1/traces/attributes/attr.user.id/values?${range}&prefix=user-1&limit=5`);
    assert.deepEqual([...users.body.data].sort(), ['user-1', 'user-10', 'user-11']);
    const services = await get(`/api/v1/traces/attributes/resource.service.name/values?${range}`, api.betaKey);
    assert.deepEqual(services.body.data, ['beta-svc']);
    assert.equal((await get(`/api/v1/traces/attributes/http.route/values?${range}`)).status, 400);
  });
});

describe('service map', () => {
  test('nodes with RED and caller → callee edges, including a child that arrived in a later batch', async () => {
    const r = await get(`/api/v1/service-map?${range}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.data.edges.map((e: Json) => [e.caller, e.callee, e.calls, e.errorCount]),
      [
        ['checkout', 'inventory', 1, 0],
        ['checkout', 'payments', 1, 1],
        ['frontend', 'checkout', 1, 0],
      ],
    );
    const payments = r.body.data.edges.find((e: Json) => e.callee === 'payments');
    assert.ok(Math.abs(payments.p95Ms - 40) < 1, String(payments.p95Ms));
    const nodes = Object.fromEntries(r.body.data.nodes.map((n: Json) => [n.service, n]));
    assert.deepEqual(Object.keys(nodes), ['api', 'checkout', 'frontend', 'inventory', 'payments', 'spread']);
    assert.equal(nodes.api.count, 12);
    assert.equal(nodes.api.errorCount, 3);
    assert.equal(nodes.api.errorRate, 0.25);
    const beta = await get(`/api/v1/service-map?${range}`, api.betaKey);
    assert.deepEqual(beta.body.data.edges, []);
    assert.deepEqual(
      beta.body.data.nodes.map((n: Json) => n.service),
      ['beta-svc'],
    );
  });
});

describe('log search', () => {
  const bodies = async (qs: string, key = KEY) => {
    const r = await get(`/api/v1/logs?${range}&${qs}`, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.data.map((l: Json) => l.body.stringValue);
  };

  test('words, phrases, prefixes, severity floor, attributes and trace id', async () => {
    assert.deepEqual(await bodies('q=declined'), ['declined card on retry', 'Payment FAILED: card declined']);
    assert.deepEqual(await bodies('q="card declined"'), ['Payment FAILED: card declined']);
    assert.deepEqual(await bodies('q=payment*'), ['paymentservice crashed', 'Payment FAILED: card declined']);
    assert.deepEqual(await bodies('q=pay'), []);
    assert.deepEqual(await bodies('minSeverity=ERROR'), ['paymentservice crashed', 'Payment FAILED: card declined']);
    assert.deepEqual(await bodies('minSeverity=13&service=checkout'), [
      'declined card on retry',
      'Payment FAILED: card declined',
    ]);
    assert.deepEqual(await bodies('attr.order=42'), ['Payment FAILED: card declined']);
    assert.deepEqual(await bodies(`traceId=${MAP_TRACE}`), ['declined card on retry', 'Payment FAILED: card declined']);
    assert.deepEqual(await bodies(`traceId=${MAP_TRACE}`, api.betaKey), ['Payment FAILED: card declined']);
    assert.equal((await get(`/api/v1/logs?minSeverity=30`)).body.error.details.parameter, 'minSeverity');
  });

  test('cursor pages through records that share a timestamp without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(`/api/v1/logs?${range}&service=api&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.data.map((l: Json) => l.body.stringValue));
      cursor = r.body.meta.nextCursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);
  });

  test('the histogram counts the same filter per step', async () => {
    const r = await get(`/api/v1/logs/histogram?from=${T}&to=${T + 5 * MIN - 1}&stepSeconds=60&q=card`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data, [
      [T, 0],
      [T + MIN, 0],
      [T + 2 * MIN, 0],
      [T + 3 * MIN, 2],
      [T + 4 * MIN, 0],
    ]);
    const all = await get(`/api/v1/logs/histogram?from=${T}&to=${T + 5 * MIN - 1}&stepSeconds=60&minSeverity=INFO`);
    assert.deepEqual(
      all.body.data.map((p: Json) => p[1]),
      [0, 0, 5, 2, 1],
    );
  });

  test('the volume over a search counts, by severity, exactly the records the search lists', async () => {
    const volume = async (filter: string) => {
      const q = `from=${T}&to=${T + 5 * MIN - 1}&stepSeconds=60&${filter}`;
      const [v, listed] = await Promise.all([get(`/api/v1/logs/volume?${q}`), get(`/api/v1/logs?${q}&limit=1000`)]);
      assert.equal(v.status, 200, JSON.stringify(v.body));
      assert.equal(v.body.meta.resolution, 'raw');
      assert.equal(
        v.body.data.reduce((n: number, p: Json) => n + p.total, 0),
        listed.body.data.length,
      );
      return v.body.data.filter((p: Json) => p.total > 0).map((p: Json) => [p.t, p.bySeverity]);
    };
    assert.deepEqual(await volume('q=card'), [[T + 3 * MIN, { ERROR: 1, WARN: 1 }]]);
    assert.deepEqual(await volume('q=card&minSeverity=ERROR'), [[T + 3 * MIN, { ERROR: 1 }]]);
    assert.deepEqual(await volume(`traceId=${MAP_TRACE}&attr.order=42`), [[T + 3 * MIN, { ERROR: 1 }]]);
  });
});

describe('heavy queries are bounded', () => {
  test('past maxRowsToRead: 422 naming the limit; past maxSearchRangeDays: 400', async () => {
    const small = await startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: api.ch,
      controlPlane: api.cp,
      clickhouseMigrated: async () => true,
      limits: { maxRowsToRead: 3 },
    });
    try {
      for (const path of [`/api/v1/traces?${range}`, `/api/v1/logs?${range}`, `/api/v1/service-map?${range}`]) {
        const r = await call<Json>(small.url, path, { key: KEY });
        assert.equal(r.status, 422, `${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, 'query_limit_exceeded');
        assert.equal(r.body.error.details.limit, 'maxRowsToRead');
        assert.match(r.body.error.message, /maxRowsToRead/);
      }
    } finally {
      await small.close();
    }
    const long = await get(`/api/v1/logs?from=${T - 40 * 86_400_000}&to=${T}`);
    assert.equal(long.status, 400);
    assert.equal(long.body.error.details.limit, 'maxSearchRangeDays');
  });
});
