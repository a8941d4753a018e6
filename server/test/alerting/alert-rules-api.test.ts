import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, insertSpans, startAlertingStores, type AlertingStores, type Json } from './stores.js';

const MIN = 60_000;
let s: AlertingStores;

const errorRule = (over: Record<string, unknown> = {}) => ({
  name: 'checkout errors',
  condition: {
    kind: 'span',
    measure: 'error_rate',
    service: 'checkout',
    window: '5m',
    threshold: { op: 'above', value: 0.1 },
  },
  interval: '1m',
  for: '2m',
  groupBy: ['service'],
  severity: 'critical',
  annotations: { summary: '{{ $labels.service }} fails {{ $value }} of requests' },
  ...over,
});

before(async () => {
  s = await startAlertingStores('tf-alert-rules-');
});
after(async () => {
  await s.close();
});

describe('alerting routes', () => {
  it('all declare their access, only status pages are public, and the OpenAPI document lists them', async () => {
    const ours = s.api
      .routes()
      .filter((r) => /^\/(api\/v1\/(alert|alerts|silences|notification-channels|status-pages)|status)\b/.test(r.path));
    assert.ok(ours.length >= 30, `found ${ours.length} routes`);
    for (const r of ours) {
      assert.ok(r.access !== undefined, `${r.method} ${r.path} declares no access`);
      assert.equal(r.access === 'public', r.path.startsWith('/status/'), `${r.method} ${r.path}: ${r.access}`);
    }
    const doc = await call(s.api.url, '/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    for (const path of ['/api/v1/alert-rules/preview', '/api/v1/notification-channels/{id}/test', '/status/{slug}'])
      assert.ok(doc.body.paths[path], path);
  });
});

describe('/api/v1/alert-rules', () => {
  it('creates, reads, replaces and deletes a rule, with defaults filled in', async () => {
    const created = await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body: errorRule() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const rule = created.body.data;
    assert.match(rule.id, /^[0-9a-f-]{36}$/);
    assert.equal(rule.noData, 'keep');
    assert.equal(rule.groupWait, '30s');
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.readKey })).body.data.name,
      'checkout errors',
    );
    const replaced = await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, {
      key: s.key,
      method: 'PUT',
      body: errorRule({ for: '10m' }),
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.data.for, '10m');
    const list = await call(s.api.url, '/api/v1/alert-rules', { key: s.readKey });
    assert.deepEqual(
      list.body.data.map((r: Json) => r.id),
      [rule.id],
    );
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' })).status,
      204,
    );
    assert.equal((await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key })).status, 404);
  });

  it('refuses bad rules with a 400 naming the field, and a duplicate name with 409', async () => {
    const bad = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({ interval: 'soon' }),
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'interval');
    const badGroup = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({ groupBy: ['pod'] }),
    });
    assert.equal(badGroup.status, 400);
    assert.match(badGroup.body.error.message, /cannot group by "pod"/);
    const badChannel = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({ channels: ['00000000-0000-4000-8000-000000000000'] }),
    });
    assert.equal(badChannel.status, 400);
    const badSlo = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({ condition: { kind: 'slo_burn_rate', objective: 'latency', service: 'x', target: 0.99 } }),
    });
    assert.equal(badSlo.status, 400);
    assert.equal(badSlo.body.error.details.parameter, 'condition.latencyThresholdMs');
    assert.equal(
      (await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body: errorRule({ name: 'dup' }) }))
        .status,
      201,
    );
    const dup = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({ name: 'dup' }),
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'conflict');
  });

  it('takes a usage condition (whole-hour window, a reason for refusals only) and refuses groups for it', async () => {
    const usageRule = (condition: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
      name: `usage ${JSON.stringify(condition)}`,
      condition: { kind: 'usage', signal: 'traces', threshold: { op: 'above', value: 0 }, ...condition },
      ...over,
    });
    const post = (body: Json) => call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body });
    const created = await post(usageRule({ measure: 'refused_requests', reason: 'quota' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.data.condition, {
      kind: 'usage',
      signal: 'traces',
      measure: 'refused_requests',
      reason: 'quota',
      window: '1h',
      threshold: { op: 'above', value: 0 },
    });
    const halfHour = await post(usageRule({ measure: 'accepted_items', window: '90m' }));
    assert.equal(halfHour.status, 400);
    assert.equal(halfHour.body.error.details.parameter, 'condition.window');
    const reasonOfAccepted = await post(usageRule({ measure: 'accepted_bytes', reason: 'quota' }));
    assert.equal(reasonOfAccepted.status, 400);
    assert.equal(reasonOfAccepted.body.error.details.parameter, 'condition.reason');
    const grouped = await post(usageRule({ measure: 'refused_items' }, { groupBy: ['service'] }));
    assert.equal(grouped.status, 400);
    assert.match(grouped.body.error.message, /a usage rule cannot group by "service"/);
    const removed = await call(s.api.url, `/api/v1/alert-rules/${created.body.data.id}`, {
      key: s.key,
      method: 'DELETE',
    });
    assert.equal(removed.status, 204);
  });

  it('refuses a window past the query limits with a 400 naming it, at create, update, import and preview', async () => {
    const DAY = 24 * 60 * MIN;
    const decade = errorRule({
      name: 'a decade of logs',
      groupBy: [],
      interval: '1d',
      condition: { kind: 'log_count', service: 'checkout', window: '3650d', threshold: { op: 'above', value: 0 } },
    });
    const created = await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body: decade });
    assert.equal(created.status, 400);
    assert.equal(created.body.error.details.parameter, 'condition.window');
    assert.match(created.body.error.message, /^condition\.window: at most 31d \(maxSearchRangeDays\)/);
    const burn = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: errorRule({
        name: 'slow burn',
        groupBy: [],
        condition: {
          kind: 'slo_burn_rate',
          objective: 'availability',
          service: 'checkout',
          target: 0.999,
          windows: [{ long: '60d', short: '1h', factor: 1 }],
        },
      }),
    });
    assert.equal(burn.status, 400);
    assert.equal(burn.body.error.details.parameter, 'condition.windows');
    // 31 days is what a search may read: accepted.
    const month = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: { ...decade, condition: { ...decade.condition, window: '31d' } },
    });
    assert.equal(month.status, 201, JSON.stringify(month.body));
    const replaced = await call(s.api.url, `/api/v1/alert-rules/${month.body.data.id}`, {
      key: s.key,
      method: 'PUT',
      body: decade,
    });
    assert.equal(replaced.status, 400);
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${month.body.data.id}`, { key: s.key })).body.data.condition.window,
      '31d',
      'unchanged',
    );
    const yaml = (
      await (
        await fetch(`${s.api.url}/api/v1/alert-rules/export`, { headers: { authorization: `Bearer ${s.key}` } })
      ).text()
    ).replace('window: 31d', 'window: 3650d');
    const imported = await call(s.api.url, '/api/v1/alert-rules/import', {
      key: s.key,
      method: 'POST',
      body: { yaml },
    });
    assert.equal(imported.status, 400);
    assert.equal(imported.body.error.details.parameter, 'condition.window');
    // The preview of the issue: a 3650-day window, 400 evaluations.
    const now = Date.now();
    const preview = await call(s.api.url, '/api/v1/alert-rules/preview', {
      key: s.readKey,
      method: 'POST',
      body: { rule: decade, from: String(now - 400 * DAY), to: String(now) },
    });
    assert.equal(preview.status, 400);
    assert.equal(preview.body.error.details.parameter, 'rule.condition.window');
    await call(s.api.url, `/api/v1/alert-rules/${month.body.data.id}`, { key: s.key, method: 'DELETE' });
  });

  it('the alert history reads at most what a search may: 31 days', async () => {
    const now = Date.now();
    const decade = await call(s.api.url, `/api/v1/alerts/history?from=${now - 3650 * 24 * 60 * MIN}&to=${now}`, {
      key: s.readKey,
    });
    assert.equal(decade.status, 400);
    assert.equal(decade.body.error.details.parameter, 'from');
    assert.match(decade.body.error.message, /at most 31 days \(maxSearchRangeDays\)/);
    assert.equal(
      (await call(s.api.url, `/api/v1/alerts/history?from=${now - 31 * 24 * 60 * MIN}&to=${now}`, { key: s.readKey }))
        .status,
      200,
    );
  });

  it('needs write permission for changes and keeps tenants apart', async () => {
    const denied = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.readKey,
      method: 'POST',
      body: errorRule({ name: 'nope' }),
    });
    assert.equal(denied.status, 403);
    assert.equal((await call(s.api.url, '/api/v1/alert-rules', { method: 'GET' })).status, 401);
    const mine = (
      await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body: errorRule({ name: 'mine' }) })
    ).body.data;
    assert.equal((await call(s.api.url, `/api/v1/alert-rules/${mine.id}`, { key: s.betaKey })).status, 404);
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${mine.id}`, { key: s.betaKey, method: 'DELETE' })).status,
      404,
    );
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${mine.id}`, { key: s.betaKey, method: 'PUT', body: errorRule() }))
        .status,
      404,
    );
    assert.deepEqual((await call(s.api.url, '/api/v1/alert-rules', { key: s.betaKey })).body.data, []);
    assert.equal((await call(s.api.url, '/api/v1/alert-rules/not-a-uuid', { key: s.key })).status, 404);
  });

  it('exports YAML that imports back to the same rules (rules as code)', async () => {
    const exported = await fetch(`${s.api.url}/api/v1/alert-rules/export`, {
      headers: { authorization: `Bearer ${s.key}` },
    });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /application\/yaml/);
    const text = await exported.text();
    assert.match(text, /kind: AlertRules/);
    const into = await call(s.api.url, '/api/v1/alert-rules/import', {
      key: s.betaKey,
      method: 'POST',
      body: { yaml: text },
    });
    assert.equal(into.status, 200, JSON.stringify(into.body));
    assert.deepEqual(into.body.data, { created: 2, updated: 0 });
    const again = await call(s.api.url, '/api/v1/alert-rules/import', {
      key: s.betaKey,
      method: 'POST',
      body: { yaml: text },
    });
    assert.deepEqual(again.body.data, { created: 0, updated: 2 });
    const back = await fetch(`${s.api.url}/api/v1/alert-rules/export`, {
      headers: { authorization: `Bearer ${s.betaKey}` },
    });
    assert.equal(await back.text(), text);
    const broken = await call(s.api.url, '/api/v1/alert-rules/import', {
      key: s.betaKey,
      method: 'POST',
      body: { yaml: text.replace('error_rate', 'oops') },
    });
    assert.equal(broken.status, 400);
    assert.match(broken.body.error.message, /condition\.measure/);
  });

  it('previews when a rule would have fired, without creating alerts', async () => {
    const start = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
    // Healthy for 20 minutes, failing for 15, healthy again.
    for (let m = 0; m < 50; m++)
      await insertSpans(s.ch, {
        service: 'preview-svc',
        atMs: start + m * MIN,
        n: 10,
        errors: m >= 20 && m < 35 ? 5 : 0,
      });
    const rule = errorRule({
      name: 'preview',
      condition: {
        kind: 'span',
        measure: 'error_rate',
        service: 'preview-svc',
        window: '1m',
        threshold: { op: 'above', value: 0.2 },
      },
    });
    const res = await call(s.api.url, '/api/v1/alert-rules/preview', {
      key: s.readKey,
      method: 'POST',
      body: { rule, from: String(start), to: String(start + 50 * MIN) },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.evaluations, 50);
    const moves = res.body.data.transitions.map((t: Json) => `${t.to}@${(Date.parse(t.time) - start) / MIN}`);
    assert.deepEqual(moves, ['pending@21', 'firing@23', 'resolved@36']);
    assert.deepEqual((await call(s.api.url, '/api/v1/alerts', { key: s.readKey })).body.data, []);
    const tooLong = await call(s.api.url, '/api/v1/alert-rules/preview', {
      key: s.readKey,
      method: 'POST',
      body: { rule: errorRule({ interval: '1s' }), from: String(start), to: String(start + 60 * MIN) },
    });
    assert.equal(tooLong.status, 422);
  });
});

describe('audit log of the alerting routes', () => {
  it('every mutating alerting route writes one audit event with the key as actor and the outcome of its status; a rule change keeps before and after', async () => {
    const PLACEHOLDER = '00000000-0000-4000-8000-000000000000';
    const ours = s.api
      .routes()
      .filter(
        (r) =>
          ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) &&
          /^\/api\/v1\/(alert|alerts|silences|notification-|status-pages|monitors|tenant-config)/.test(r.path),
      );
    assert.ok(ours.length >= 15, `found ${ours.length} routes`);
    const calls: { route: string; status: number; requestId: string }[] = [];
    for (const r of ours) {
      const requestId = `audit-${calls.length}-${Date.now()}`;
      const res = await call(s.api.url, r.path.replace(/:[A-Za-z]+/g, PLACEHOLDER), {
        key: s.key,
        method: r.method,
        ...(r.method !== 'DELETE' && { body: {} }),
        headers: { 'x-request-id': requestId },
      });
      calls.push({ route: `${r.method} ${r.path}`, status: res.status, requestId });
    }
    const created = await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body: errorRule() });
    const changed = await call(s.api.url, `/api/v1/alert-rules/${created.body.data.id}`, {
      key: s.key,
      method: 'PUT',
      body: errorRule({ name: 'checkout errors (renamed)' }),
      headers: { 'x-request-id': 'audit-rule-change' },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    await s.api.drainAuditOutbox();
    const rs = await s.ch.query({
      query: `SELECT RequestId AS requestId, ActorType AS actorType, Outcome AS outcome, Status AS status, Action AS action,
                     Before AS before, After AS after
                FROM audit_events FINAL WHERE TenantId = 'default' AND RequestId LIKE 'audit-%'`,
      format: 'JSONEachRow',
    });
    const events = await rs.json<Json>();
    const preview = 'POST /api/v1/alert-rules/preview';
    for (const c of calls) {
      const mine = events.filter((e: Json) => e.requestId === c.requestId);
      if (c.route === preview) {
        assert.equal(mine.length, 0, `${c.route} changes nothing`);
        continue;
      }
      assert.equal(mine.length, 1, `${c.route} (${c.status})`);
      assert.equal(mine[0].actorType, 'apiKey', c.route);
      assert.equal(mine[0].status, c.status, c.route);
      assert.equal(mine[0].outcome, c.status < 400 ? 'success' : c.status === 403 ? 'denied' : 'error', c.route);
    }
    const change = events.find((e: Json) => e.requestId === 'audit-rule-change');
    assert.equal(change.action, 'alertRule.update');
    assert.equal(JSON.parse(change.before).name, 'checkout errors');
    assert.equal(JSON.parse(change.after).name, 'checkout errors (renamed)');
  });
});
