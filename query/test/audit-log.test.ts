// The audit log end to end: real Postgres (the outbox), embedded ClickHouse (audit_events) and
// the API. Every mutating route of the running app writes an event with the caller and the
// outcome; sign-ins are recorded; a changed stored event breaks the hash chain and verify says where.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { addMembership, createUser } from '@telemetryflow/identity';
import { outcomeOf } from '@telemetryflow/http-kit';
import { call, startTestApi, tempDir, type Json, type TestApi } from './helpers.js';

const KEY = 'tf_audit_test_key_default_000001';
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'audit-admin@default.test';
const VIEWER = 'audit-viewer@default.test';
const dir = tempDir('tf-audit-');
let api: TestApi;
let base: string;
const tokens: Record<'admin' | 'viewer', string> = { admin: '', viewer: '' };
const userIds: Record<'admin' | 'viewer', string> = { admin: '', viewer: '' };

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, {
    rateLimits: { loginPerIp: { requests: 10_000, perSeconds: 60 } },
    auditRelay: { intervalMs: 50 },
  });
  base = api.server.url;
  for (const [name, email, role] of [
    ['admin', ADMIN, 'admin'],
    ['viewer', VIEWER, 'viewer'],
  ] as const) {
    const user = await createUser(api.cp.dataSource, { email, password: PASSWORD });
    userIds[name] = user.id;
    await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role });
    const res = await call(base, '/api/v1/auth/login', { method: 'POST', body: { email, password: PASSWORD } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    tokens[name] = res.body.data.accessToken;
  }
});

after(async () => {
  await api?.close();
  dir.remove();
});

interface StoredEvent {
  id: string;
  tenantId: string;
  seq: string;
  actorType: string;
  actorId: string;
  actorLabel: string;
  action: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  outcome: string;
  status: number;
  requestId: string;
  before: string;
  after: string;
  userAgent: string;
  clientAddress: string;
}

/** The stored events of some requests, by request id, once the relay moved them. */
async function storedEvents(requestIds: string[]): Promise<Map<string, StoredEvent[]>> {
  await api.server.drainAuditOutbox();
  const rs = await api.ch.query({
    query: `SELECT toString(Id) AS id, TenantId AS tenantId, toString(Seq) AS seq, ActorType AS actorType, ActorId AS actorId,
                   ActorLabel AS actorLabel, Action AS action, ResourceType AS resourceType, ResourceId AS resourceId,
                   ResourceName AS resourceName, Outcome AS outcome, Status AS status, RequestId AS requestId,
                   Before AS before, After AS after, UserAgent AS userAgent, ClientAddress AS clientAddress
              FROM audit_events FINAL WHERE RequestId IN {ids:Array(String)}`,
    query_params: { ids: requestIds },
    format: 'JSONEachRow',
  });
  const byRequest = new Map<string, StoredEvent[]>();
  for (const e of await rs.json<StoredEvent>()) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
  return byRequest;
}

/** A call with its own request id, so its audit event can be found. */
async function tracked(
  path: string,
  opts: { key?: string; method?: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; body: Json; requestId: string }> {
  const requestId = `audit-${randomUUID()}`;
  const res = await call(base, path, {
    ...opts,
    headers: { ...opts.headers, 'x-request-id': requestId, 'user-agent': 'audit-test/1.0' },
  });
  return { status: res.status, body: res.body, requestId };
}

const keyPrefix = async () =>
  (
    (await api.cp.dataSource.query(
      `SELECT prefix FROM api_keys WHERE tenant_id = 'default' ORDER BY created_at LIMIT 1`,
    )) as {
      prefix: string;
    }[]
  )[0]!.prefix;

describe('every mutating route of the running app writes an audit event', () => {
  const PLACEHOLDER = '00000000-0000-4000-8000-000000000000';
  const fill = (path: string) => path.replace(/:tenantId\b/g, 'default').replace(/:[A-Za-z]+/g, PLACEHOLDER);
  const mutating = () => api.server.routes().filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));

  test('called with the admin API key: one event per call, the key as actor, the outcome of its status', async () => {
    const routes = mutating();
    assert.ok(routes.length > 20, `${routes.length} mutating routes`);
    const calls: { route: string; status: number; requestId: string }[] = [];
    for (const r of routes) {
      const res = await tracked(fill(r.path), {
        key: KEY,
        method: r.method,
        ...(r.method !== 'DELETE' && { body: {} }),
      });
      calls.push({ route: `${r.method} ${r.path}`, status: res.status, requestId: res.requestId });
    }
    const stored = await storedEvents(calls.map((c) => c.requestId));
    const prefix = await keyPrefix();
    const unaudited = new Set([
      'POST /api/v1/query',
      'POST /api/v1/metrics/query',
      'POST /api/v1/dashboards/:id/render',
    ]);
    for (const c of calls) {
      const events = stored.get(c.requestId) ?? [];
      if (unaudited.has(c.route) || c.route.includes('/prometheus/') || c.route.startsWith('POST /api/v1/prom')) {
        // Reads sent as POST write nothing unless refused.
        if (c.status !== 401 && c.status !== 403) {
          assert.equal(events.length, 0, `${c.route}: ${JSON.stringify(events)}`);
          continue;
        }
      }
      assert.equal(events.length, 1, `${c.route} (${c.status}): ${events.length} events`);
      const e = events[0]!;
      assert.equal(e.status, c.status, c.route);
      assert.equal(e.outcome, outcomeOf(c.status), c.route);
      assert.ok(/^[a-zA-Z]+\.[a-z_]+$/.test(e.action), `${c.route}: action ${e.action}`);
      assert.equal(e.userAgent, 'audit-test/1.0');
      assert.ok(e.clientAddress.length > 0);
      if (c.route.includes('/auth/')) continue; // sign-in steps: credentials in the body, not the header
      assert.equal(e.tenantId, 'default', c.route);
      assert.equal(e.actorType, 'apiKey', c.route);
      assert.equal(e.actorLabel, prefix, c.route);
    }
  });

  test('by a viewer: every route that needs more than read answers 403 and writes a denied event naming the viewer', async () => {
    const routes = mutating().filter((r) => r.access === 'write' || r.access === 'admin' || r.access === 'owner');
    const calls: { route: string; requestId: string }[] = [];
    for (const r of routes) {
      const res = await tracked(fill(r.path), {
        key: tokens.viewer,
        method: r.method,
        ...(r.method !== 'DELETE' && { body: {} }),
      });
      assert.equal(res.status, 403, `${r.method} ${r.path}`);
      calls.push({ route: `${r.method} ${r.path}`, requestId: res.requestId });
    }
    const stored = await storedEvents(calls.map((c) => c.requestId));
    for (const c of calls) {
      const [e, more] = stored.get(c.requestId) ?? [];
      assert.ok(e && !more, `${c.route}: one event`);
      assert.deepEqual(
        [e.tenantId, e.actorType, e.actorId, e.actorLabel, e.outcome, e.status],
        ['default', 'user', userIds.viewer, VIEWER, 'denied', 403],
        c.route,
      );
    }
  });
});

describe('changes', () => {
  test('a dashboard created and changed: the action, the resource, and the state before and after', async () => {
    const created = await tracked('/api/v1/dashboards', {
      key: tokens.admin,
      method: 'POST',
      body: { title: 'Audit board', panels: [] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.data.id as string;
    const updated = await tracked(`/api/v1/dashboards/${id}`, {
      key: tokens.admin,
      method: 'PUT',
      body: { title: 'Audit board v2', panels: [] },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    const stored = await storedEvents([created.requestId, updated.requestId]);
    const c = stored.get(created.requestId)![0]!;
    assert.deepEqual(
      [c.action, c.resourceType, c.resourceId, c.resourceName, c.actorId, c.actorLabel, c.outcome, c.status],
      ['dashboard.create', 'dashboard', id, 'Audit board', userIds.admin, ADMIN, 'success', 201],
    );
    assert.equal(JSON.parse(c.after).title, 'Audit board');
    const u = stored.get(updated.requestId)![0]!;
    assert.deepEqual([u.action, u.resourceId, u.resourceName], ['dashboard.update', id, 'Audit board v2']);
    assert.equal(JSON.parse(u.before).title, 'Audit board');
    assert.equal(JSON.parse(u.after).title, 'Audit board v2');
  });

  test('an API key created: its secret is redacted, its prefix kept', async () => {
    const res = await tracked('/api/v1/api-keys', {
      key: tokens.admin,
      method: 'POST',
      body: { name: 'ci', scopes: ['read'] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const e = (await storedEvents([res.requestId])).get(res.requestId)![0]!;
    assert.equal(e.action, 'apiKey.create');
    assert.ok(!e.after.includes(res.body.data.key as string), 'the key itself is not stored');
    assert.equal(JSON.parse(e.after).key, '[redacted]');
  });
});

describe('sign-in', () => {
  test('a password sign-in and a wrong password are recorded for the user, in each of their tenants', async () => {
    const ok = await tracked('/api/v1/auth/login', { method: 'POST', body: { email: ADMIN, password: PASSWORD } });
    const bad = await tracked('/api/v1/auth/login', { method: 'POST', body: { email: ADMIN, password: 'wrong' } });
    assert.equal(ok.status, 200);
    assert.equal(bad.status, 401);
    const stored = await storedEvents([ok.requestId, bad.requestId]);
    for (const [req, outcome, status] of [
      [ok, 'success', 200],
      [bad, 'denied', 401],
    ] as const) {
      const [e, more] = stored.get(req.requestId) ?? [];
      assert.ok(e && !more);
      assert.deepEqual(
        [e.tenantId, e.action, e.actorType, e.actorId, e.actorLabel, e.outcome, e.status],
        ['default', 'auth.login', 'user', userIds.admin, ADMIN, outcome, status],
      );
      assert.ok(!e.after.includes(PASSWORD) && !e.after.includes('accessToken":"ey'), 'no secret stored');
    }
  });
});

describe('the audit API', () => {
  test('list filters by action, actor and outcome, pages with the cursor; only admins may read it', async () => {
    for (let i = 0; i < 3; i++)
      await tracked('/api/v1/dashboards', {
        key: tokens.admin,
        method: 'POST',
        body: { title: `paged ${i}`, panels: [] },
      });
    await api.server.drainAuditOutbox();
    const first = await call(base, '/api/v1/audit-events?action=dashboard.create&actor=' + ADMIN + '&limit=2', {
      key: tokens.admin,
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.data.events.length, 2);
    assert.equal(first.body.data.events[0].resource.name, 'paged 2');
    assert.ok(first.body.data.nextCursor);
    const second = await call(
      base,
      `/api/v1/audit-events?action=dashboard.create&actor=${ADMIN}&limit=2&cursor=${first.body.data.nextCursor}`,
      { key: tokens.admin },
    );
    assert.equal(second.body.data.events[0].resource.name, 'paged 0');
    assert.ok(second.body.data.events.every((e: Json) => e.action === 'dashboard.create' && e.actor.label === ADMIN));
    const denied = await call(base, '/api/v1/audit-events?outcome=denied&actor=' + userIds.viewer, {
      key: tokens.admin,
    });
    assert.ok(denied.body.data.events.length > 0);
    assert.ok(denied.body.data.events.every((e: Json) => e.outcome === 'denied' && e.actor.id === userIds.viewer));
    assert.equal((await call(base, '/api/v1/audit-events', { key: tokens.viewer })).status, 403);
    assert.equal((await call(base, '/api/v1/audit-events?outcome=maybe', { key: tokens.admin })).status, 400);
  });

  test('export streams NDJSON and CSV of the same events', async () => {
    const q = `action=dashboard.create&actor=${ADMIN}`;
    const ndjson = await fetch(`${base}/api/v1/audit-events/export?format=ndjson&${q}`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    assert.equal(ndjson.status, 200);
    assert.match(ndjson.headers.get('content-type') ?? '', /application\/x-ndjson/);
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => l.resource.name),
      ['paged 2', 'paged 1', 'paged 0', 'Audit board'],
    );
    const csv = await fetch(`${base}/api/v1/audit-events/export?format=csv&${q}`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    assert.equal(rows[0]!.split(',')[0], 'id');
    assert.equal(rows.length, 5);
    assert.equal(rows[1]!.split(',')[0], lines[0].id);
  });

  test('verify: an intact chain passes; a stored event changed in ClickHouse is the first break', async () => {
    await api.server.drainAuditOutbox();
    const intact = await call(base, '/api/v1/audit-events/verify', { key: tokens.admin });
    assert.equal(intact.status, 200, JSON.stringify(intact.body));
    assert.equal(intact.body.data.ok, true);
    assert.ok(intact.body.data.checked > 50);
    const victim = (await call(base, `/api/v1/audit-events?action=dashboard.update`, { key: tokens.admin })).body.data
      .events[0];
    await api.ch.command({
      query: `ALTER TABLE audit_events UPDATE ResourceName = 'innocent' WHERE Id = {id:UUID} SETTINGS mutations_sync = 1`,
      query_params: { id: victim.id },
    });
    const broken = (await call(base, '/api/v1/audit-events/verify', { key: tokens.admin })).body.data;
    assert.equal(broken.ok, false);
    assert.equal(broken.firstBreak.eventId, victim.id);
    assert.equal(broken.firstBreak.kind, 'hash');
    assert.equal(broken.firstBreak.stored, victim.hash);
    assert.notEqual(broken.firstBreak.expected, victim.hash);
    // Outside the changed event's time, the chain still holds.
    const later = await call(base, `/api/v1/audit-events/verify?from=${Date.parse(victim.time) + 1}`, {
      key: tokens.admin,
    });
    assert.equal(later.body.data.ok, true);
    // The newest event deleted: nothing links to it, the chain head in Postgres still counts it.
    const newest = (await call(base, '/api/v1/audit-events?limit=1', { key: tokens.admin })).body.data.events[0];
    await api.ch.command({
      query: `ALTER TABLE audit_events DELETE WHERE Id = {id:UUID} SETTINGS mutations_sync = 1`,
      query_params: { id: newest.id },
    });
    const truncated = (
      await call(base, `/api/v1/audit-events/verify?from=${Date.parse(victim.time) + 1}`, {
        key: tokens.admin,
      })
    ).body.data;
    assert.equal(truncated.ok, false);
    assert.equal(truncated.firstBreak.kind, 'gap');
    assert.equal(truncated.firstBreak.expected, `seq ${newest.seq}`);
  });
});
