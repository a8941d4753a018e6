// The service map's peers: databases, messaging systems and external services that the
// services call without them sending spans, found in real ClickHouse from the callers' spans.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIN, ns } from './fixtures.js';
import { call, insertRows, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_service_map_api_test_key_0000001';
const T = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
const dir = tempDir('tf-service-map-api-');
let api: TestApi;

const TRACE = 'a1'.repeat(16);
let spanNo = 0;
const nextId = () => (++spanNo).toString(16).padStart(16, '0');

function span(o: {
  tenant?: string;
  id?: string;
  parent?: string;
  service: string;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'PRODUCER' | 'INTERNAL';
  ms: number;
  durMs: number;
  error?: boolean;
  attrs?: Record<string, string>;
}) {
  return {
    TenantId: o.tenant ?? 'default',
    TraceIdHex: TRACE,
    SpanIdHex: o.id ?? nextId(),
    ParentSpanIdHex: o.parent ?? '',
    ServiceName: o.service,
    Name: o.name,
    Kind: `SPAN_KIND_${o.kind}`,
    StartTime: ns(o.ms),
    EndTimeNs: ns(o.ms + o.durMs),
    DurationNs: String(o.durMs * 1_000_000),
    StatusCode: o.error ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
    ResourceAttributes: { 'service.name': o.service },
    Attributes: o.attrs ?? {},
  };
}

const ROOT = nextId();
const CALL_CHECKOUT = nextId();
const CHECKOUT = nextId();
const WRAPPER = nextId();
/**
 * frontend → checkout over HTTP (the client span answered by checkout's server span), and once
 * more where checkout's span is missing (peer.service names it). checkout then calls postgres
 * twice (one fails), redis (newer attribute names), Stripe by URL, a fraud check by peer.service,
 * publishes to Kafka, and calls inventory through a wrapping client span; one client span names
 * no peer, and one internal span is no call at all.
 */
const SPANS = [
  span({ id: ROOT, service: 'frontend', name: 'GET /buy', kind: 'SERVER', ms: T, durMs: 300 }),
  span({
    id: CALL_CHECKOUT,
    parent: ROOT,
    service: 'frontend',
    name: 'POST /checkout',
    kind: 'CLIENT',
    ms: T + 5,
    durMs: 250,
    attrs: { 'server.address': 'checkout.internal', 'http.request.method': 'POST' },
  }),
  span({
    id: CHECKOUT,
    parent: CALL_CHECKOUT,
    service: 'checkout',
    name: 'buy',
    kind: 'SERVER',
    ms: T + 6,
    durMs: 240,
  }),
  span({
    parent: ROOT,
    service: 'frontend',
    name: 'POST /checkout',
    kind: 'CLIENT',
    ms: T + 260,
    durMs: 20,
    attrs: { 'peer.service': 'checkout', 'server.address': 'checkout.internal' },
  }),
  ...[false, true].map((error, i) =>
    span({
      parent: CHECKOUT,
      service: 'checkout',
      name: 'SELECT orders',
      kind: 'CLIENT',
      ms: T + 10 + i * 50,
      durMs: 40,
      error,
      attrs: { 'db.system': 'postgresql', 'db.name': 'orders', 'server.address': 'pg-1' },
    }),
  ),
  span({
    parent: CHECKOUT,
    service: 'checkout',
    name: 'GET',
    kind: 'CLIENT',
    ms: T + 110,
    durMs: 2,
    attrs: { 'db.system.name': 'redis', 'server.address': 'cache-1' },
  }),
  span({
    parent: CHECKOUT,
    service: 'checkout',
    name: 'POST',
    kind: 'CLIENT',
    ms: T + 120,
    durMs: 90,
    attrs: { 'http.url': 'https://api.stripe.com:443/v1/charges?amount=10' },
  }),
  span({
    parent: CHECKOUT,
    service: 'checkout',
    name: 'score',
    kind: 'CLIENT',
    ms: T + 125,
    durMs: 15,
    attrs: { 'peer.service': 'fraud-check', 'server.address': '10.0.0.7' },
  }),
  span({
    parent: CHECKOUT,
    service: 'checkout',
    name: 'orders publish',
    kind: 'PRODUCER',
    ms: T + 215,
    durMs: 3,
    attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' },
  }),
  span({
    id: WRAPPER,
    parent: CHECKOUT,
    service: 'checkout',
    name: 'reserve',
    kind: 'CLIENT',
    ms: T + 220,
    durMs: 20,
    attrs: { 'server.address': 'inventory.internal' },
  }),
  span({
    parent: WRAPPER,
    service: 'checkout',
    name: 'POST /reserve',
    kind: 'CLIENT',
    ms: T + 221,
    durMs: 18,
    attrs: { 'server.address': 'inventory.internal' },
  }),
  span({ parent: CHECKOUT, service: 'checkout', name: 'rpc', kind: 'CLIENT', ms: T + 241, durMs: 1 }),
  span({
    parent: CHECKOUT,
    service: 'checkout',
    name: 'render',
    kind: 'INTERNAL',
    ms: T + 242,
    durMs: 1,
    attrs: { 'db.system': 'postgresql' },
  }),
  // Outside the range asked for.
  span({
    service: 'checkout',
    name: 'SELECT old',
    kind: 'CLIENT',
    ms: T - 20 * MIN,
    durMs: 5,
    attrs: { 'db.system': 'mongodb' },
  }),
  // Another tenant's database.
  span({ tenant: 'beta', service: 'beta-svc', name: 'q', kind: 'SERVER', ms: T, durMs: 9, id: 'b'.repeat(16) }),
  span({
    tenant: 'beta',
    parent: 'b'.repeat(16),
    service: 'beta-svc',
    name: 'q',
    kind: 'CLIENT',
    ms: T + 1,
    durMs: 7,
    attrs: { 'db.system': 'mysql' },
  }),
];

before(async () => {
  api = await startTestApi(dir.path, KEY, async (ch) => {
    await insertRows(ch, 'spans', SPANS);
  });
});

after(async () => {
  await api?.close();
  dir.remove();
});

const get = (path: string, key = KEY) => call<Json>(api.server.url, path, { key });
const range = `from=${T - MIN}&to=${T + 10 * MIN}`;

describe('service map peers', () => {
  test('databases, messaging and external services become nodes of their type with edges from their callers', async () => {
    const r = await get(`/api/v1/service-map?${range}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.data.nodes.map((n: Json) => [n.service, n.type, n.system ?? null, n.count, n.errorCount]),
      [
        ['checkout', 'service', null, 1, 0],
        ['frontend', 'service', null, 1, 0],
        ['api.stripe.com', 'external', null, 1, 0],
        ['fraud-check', 'external', null, 1, 0],
        ['inventory.internal', 'external', null, 1, 0],
        ['kafka orders', 'messaging', 'kafka', 1, 0],
        ['postgresql orders', 'database', 'postgresql', 2, 1],
        ['redis cache-1', 'database', 'redis', 1, 0],
      ],
    );
    assert.deepEqual(
      r.body.data.edges.map((e: Json) => [e.caller, e.callee, e.calls, e.errorCount]),
      [
        // The call answered by checkout's span and the one whose answer is missing.
        ['checkout', 'postgresql orders', 2, 1],
        ['frontend', 'checkout', 2, 0],
        ['checkout', 'api.stripe.com', 1, 0],
        ['checkout', 'fraud-check', 1, 0],
        ['checkout', 'inventory.internal', 1, 0],
        ['checkout', 'kafka orders', 1, 0],
        ['checkout', 'redis cache-1', 1, 0],
      ],
    );
    const nodes = Object.fromEntries(r.body.data.nodes.map((n: Json) => [n.service, n]));
    const postgres = nodes['postgresql orders'];
    assert.equal(postgres.errorRate, 0.5);
    assert.ok(Math.abs(postgres.p95Ms - 40) < 0.5, String(postgres.p95Ms));
    assert.ok(Math.abs(postgres.rate - 2 / (11 * 60)) < 1e-9, String(postgres.rate));
    const stripe = r.body.data.edges.find((e: Json) => e.callee === 'api.stripe.com');
    assert.ok(Math.abs(stripe.p95Ms - 90) < 0.5, String(stripe.p95Ms));
  });

  test("another tenant's map has only its own peers", async () => {
    const beta = await get(`/api/v1/service-map?${range}`, api.betaKey);
    assert.equal(beta.status, 200, JSON.stringify(beta.body));
    assert.deepEqual(
      beta.body.data.nodes.map((n: Json) => [n.service, n.type]),
      [
        ['beta-svc', 'service'],
        ['mysql', 'database'],
      ],
    );
    assert.deepEqual(
      beta.body.data.edges.map((e: Json) => [e.caller, e.callee, e.calls]),
      [['beta-svc', 'mysql', 1]],
    );
  });

  test('a range without the calls has no peers', async () => {
    const r = await get(`/api/v1/service-map?from=${T - 60 * MIN}&to=${T - 40 * MIN}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data, { nodes: [], edges: [] });
  });
});
