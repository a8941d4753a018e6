// Tenant configuration export and import through the API: real Postgres, embedded ClickHouse.
// A tenant's channels, monitors, rules, policy, silences, status pages and dashboards leave as
// one document without secrets, and come back in another tenant pointing at that tenant's objects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
const SLACK_URL = 'https://hooks.slack.example/services/T000/B000/slack-token-1234';
const WEBHOOK_SECRET = 'webhook-signing-secret-0123456789';
const AUTH_HEADER = 'Bearer monitor-credential-abcdef';
const HOUR = 3_600_000;

before(async () => {
  s = await startAlertingStores('tf-tenant-config-');
});
after(async () => {
  await s.close();
});

async function ok(path: string, key: string, method: string, body?: unknown): Promise<Json> {
  const res = await call(s.api.url, path, { key, method, ...(body !== undefined && { body }) });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body?.data;
}

/** The document with refs replaced by the names they point at: what must be equal across tenants. */
function byName(doc: Json): Json {
  const names = new Map<string, string>();
  for (const c of doc.notificationChannels) names.set(c.ref, `channel:${c.channel.name}`);
  for (const m of doc.monitors) names.set(m.ref, `monitor:${m.monitor.name}`);
  for (const r of doc.alertRules) names.set(r.ref, `rule:${r.rule.name}`);
  const name = (ref: string) => names.get(ref) ?? `unknown ref ${ref}`;
  return {
    notificationChannels: doc.notificationChannels.map(({ ref: _r, ...c }: Json) => c),
    monitors: doc.monitors.map(({ ref: _r, ...m }: Json) => m),
    alertRules: doc.alertRules.map(({ rule }: Json) => ({
      ...rule,
      channels: rule.channels.map(name),
      condition:
        rule.condition.kind === 'monitor'
          ? { ...rule.condition, monitorId: name(rule.condition.monitorId) }
          : rule.condition,
    })),
    notificationPolicy: doc.notificationPolicy,
    silences: doc.silences,
    statusPages: doc.statusPages.map((p: Json) => ({
      ...p,
      components: p.components.map((c: Json) => ({
        ...c,
        ruleIds: c.ruleIds.map(name),
        monitorId: c.monitorId === null ? null : name(c.monitorId),
      })),
    })),
    dashboards: doc.dashboards,
  };
}

/** The document with its secrets filled in again, as whoever imports it must. */
function withSecrets(doc: Json): Json {
  const copy = structuredClone(doc);
  for (const c of copy.notificationChannels) {
    if (c.channel.type === 'slack') c.channel.url = SLACK_URL;
    if (c.channel.type === 'webhook')
      Object.assign(c.channel, { url: 'https://hooks.example/alerts', secret: WEBHOOK_SECRET });
  }
  for (const m of copy.monitors)
    if (m.monitor.check.kind === 'http') m.monitor.check.headers.Authorization = AUTH_HEADER;
  return copy;
}

describe('tenant configuration export and import', () => {
  let exported: Json;
  const ids: Record<string, string> = {};

  it('exports every kind of object with references as refs, and no secret', async () => {
    const k = s.key;
    ids.slack = (
      await ok('/api/v1/notification-channels', k, 'POST', { type: 'slack', name: 'ops slack', url: SLACK_URL })
    ).id;
    ids.webhook = (
      await ok('/api/v1/notification-channels', k, 'POST', {
        type: 'webhook',
        name: 'ops hook',
        url: 'https://hooks.example/alerts',
        secret: WEBHOOK_SECRET,
      })
    ).id;
    ids.email = (
      await ok('/api/v1/notification-channels', k, 'POST', { type: 'email', name: 'ops mail', to: ['ops@example.com'] })
    ).id;
    ids.api = (
      await ok('/api/v1/monitors', k, 'POST', {
        name: 'api health',
        interval: '30s',
        check: {
          kind: 'http',
          url: 'https://api.example.com/health',
          headers: { Authorization: AUTH_HEADER, Accept: 'application/json' },
        },
      })
    ).id;
    const heartbeat = await ok('/api/v1/monitors', k, 'POST', {
      name: 'nightly job',
      interval: '1h',
      check: { kind: 'heartbeat' },
    });
    ids.errors = (
      await ok('/api/v1/alert-rules', k, 'POST', {
        name: 'checkout errors',
        condition: {
          kind: 'span',
          measure: 'error_rate',
          service: 'checkout',
          window: '5m',
          threshold: { op: 'above', value: 0.1 },
        },
        severity: 'critical',
        channels: [ids.slack, ids.webhook],
      })
    ).id;
    ids.down = (
      await ok('/api/v1/alert-rules', k, 'POST', {
        name: 'api down',
        condition: { kind: 'monitor', monitorId: ids.api, check: 'down' },
        channels: [ids.email],
      })
    ).id;
    await ok('/api/v1/notification-policy', k, 'PUT', {
      route: {
        receiver: ids.slack,
        routes: [{ receiver: 'ops hook', matchers: [{ label: 'severity', op: '=', value: 'critical' }] }],
      },
    });
    const now = Date.now();
    await ok('/api/v1/silences', k, 'POST', {
      kind: 'maintenance',
      matchers: [{ label: 'service', op: '=', value: 'checkout' }],
      startsAt: new Date(now + HOUR).toISOString(),
      endsAt: new Date(now + 2 * HOUR).toISOString(),
      comment: 'database upgrade',
    });
    ids.page = (await ok('/api/v1/status-pages', k, 'POST', { slug: 'shop-status', title: 'Shop' })).id;
    await ok(`/api/v1/status-pages/${ids.page}/components`, k, 'POST', {
      name: 'Checkout',
      ruleIds: [ids.errors],
      monitorId: ids.api,
    });
    await ok('/api/v1/dashboards', k, 'POST', { title: 'Checkout overview', tags: ['shop'], panels: [] });

    assert.equal((await call(s.api.url, '/api/v1/tenant-config/export', { key: s.readKey })).status, 403);
    exported = await ok('/api/v1/tenant-config/export', k, 'GET');
    const text = JSON.stringify(exported);
    for (const secret of [SLACK_URL, WEBHOOK_SECRET, AUTH_HEADER, heartbeat.heartbeatToken])
      assert.ok(!text.includes(secret), `the export holds ${secret}`);
    const channel = (name: string) => exported.notificationChannels.find((c: Json) => c.channel.name === name);
    assert.deepEqual(channel('ops slack'), {
      ref: ids.slack,
      channel: { type: 'slack', name: 'ops slack', url: null },
      secretFields: ['url'],
    });
    assert.deepEqual(channel('ops hook').secretFields, ['url', 'secret']);
    assert.deepEqual(channel('ops mail').secretFields, []);
    const api = exported.monitors.find((m: Json) => m.monitor.name === 'api health');
    assert.deepEqual(api.secretFields, ['check.headers.Authorization']);
    assert.deepEqual(api.monitor.check.headers, { Authorization: null, Accept: 'application/json' });
    const errors = exported.alertRules.find((r: Json) => r.rule.name === 'checkout errors');
    assert.deepEqual([errors.ref, errors.rule.channels], [ids.errors, [ids.slack, ids.webhook]]);
    // Receivers named by id leave as names: names carry over, ids do not.
    assert.equal(exported.notificationPolicy.route.receiver, 'ops slack');
    assert.equal(exported.silences.length, 1);
    assert.deepEqual(exported.statusPages[0].components[0].ruleIds, [ids.errors]);
    assert.ok(exported.dashboards.some((d: Json) => d.definition.title === 'Checkout overview' && d.builtIn === null));
  });

  it('imports into another tenant: a dry run reports and writes nothing; then equal objects pointing at its own', async () => {
    const doc = withSecrets(exported);
    // Status page slugs are one public namespace: the source tenant's page is a conflict.
    const dry = await call(s.api.url, '/api/v1/tenant-config/import?dryRun=true', {
      key: s.betaKey,
      method: 'POST',
      body: doc,
    });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const page = dry.body.data.items.find((i: Json) => i.kind === 'statusPage');
    assert.deepEqual([page.action, page.reason], ['conflict', 'another tenant has a status page at this slug']);
    const refused = await call(s.api.url, '/api/v1/tenant-config/import', {
      key: s.betaKey,
      method: 'POST',
      body: doc,
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'import_conflict');
    assert.deepEqual((await ok('/api/v1/notification-channels', s.betaKey, 'GET')).length, 0, 'nothing written');

    // Moved: the page leaves the source tenant.
    await ok(`/api/v1/status-pages/${ids.page}`, s.key, 'DELETE');
    const plan = (await ok('/api/v1/tenant-config/import?dryRun=true', s.betaKey, 'POST', doc)) as Json;
    assert.deepEqual(
      plan.items.filter((i: Json) => i.kind !== 'dashboard' && i.action !== 'create'),
      [],
      'everything but the built-in dashboards is new',
    );
    assert.equal((await ok('/api/v1/alert-rules', s.betaKey, 'GET')).length, 0, 'a dry run writes nothing');

    const report = await ok('/api/v1/tenant-config/import', s.betaKey, 'POST', doc);
    assert.equal(report.dryRun, false);
    assert.equal(report.counts.conflict, 0);
    const beta = await ok('/api/v1/tenant-config/export', s.betaKey, 'GET');
    assert.deepEqual(byName(beta), byName(exported));

    // References point at beta's own objects, never at the source tenant's.
    const betaChannels = new Map<string, string>(
      (await ok('/api/v1/notification-channels', s.betaKey, 'GET')).map((c: Json) => [c.name, c.id]),
    );
    const betaMonitors = new Map<string, string>(
      (await ok('/api/v1/monitors', s.betaKey, 'GET')).map((m: Json) => [m.name, m.id]),
    );
    const rules = new Map<string, Json>(
      (await ok('/api/v1/alert-rules', s.betaKey, 'GET')).map((r: Json) => [r.name, r]),
    );
    assert.deepEqual(rules.get('checkout errors').channels, [
      betaChannels.get('ops slack'),
      betaChannels.get('ops hook'),
    ]);
    assert.equal(rules.get('api down').condition.monitorId, betaMonitors.get('api health'));
    assert.notEqual(betaMonitors.get('api health'), ids.api);
    const [betaPage] = await ok('/api/v1/status-pages', s.betaKey, 'GET');
    assert.deepEqual(betaPage.components[0].ruleIds, [rules.get('checkout errors').id]);
    assert.equal(betaPage.components[0].monitorId, betaMonitors.get('api health'));
    // The report names what it created.
    const created = report.items.find((i: Json) => i.kind === 'alertRule' && i.name === 'api down');
    assert.deepEqual([created.action, created.id], ['create', rules.get('api down').id]);
    // Secrets were imported as filled in: the heartbeat monitor got a token of its own.
    const heartbeat = (await ok('/api/v1/monitors', s.betaKey, 'GET')).find((m: Json) => m.name === 'nightly job');
    assert.match(heartbeat.heartbeatToken, /^[A-Za-z0-9_-]{20,}$/);
  });

  it('imports again: skip leaves everything, overwrite replaces what changed; secrets may stay out over existing channels', async () => {
    const again = await ok('/api/v1/tenant-config/import', s.betaKey, 'POST', exported);
    assert.equal(again.counts.create, 0, JSON.stringify(again.items.filter((i: Json) => i.action === 'create')));
    assert.equal(again.counts.update, 0);
    const changed = withSecrets(exported);
    changed.alertRules.find((r: Json) => r.rule.name === 'checkout errors').rule.severity = 'warning';
    const over = await ok('/api/v1/tenant-config/import?mode=overwrite', s.betaKey, 'POST', changed);
    assert.equal(over.counts.create, 0);
    assert.ok(over.counts.update >= 6, JSON.stringify(over.counts));
    const rule = (await ok('/api/v1/alert-rules', s.betaKey, 'GET')).find((r: Json) => r.name === 'checkout errors');
    assert.equal(rule.severity, 'warning');
    // Overwriting a channel needs its secrets: a field error names each one.
    const res = await call(s.api.url, '/api/v1/tenant-config/import?mode=overwrite', {
      key: s.betaKey,
      method: 'POST',
      body: exported,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.body.error.details.issues.map((i: Json) => i.path),
      [
        'notificationChannels.0.channel.url',
        'notificationChannels.0.channel.secret',
        'notificationChannels.2.channel.url',
        'monitors.0.monitor.check.headers.Authorization',
      ],
    );
  });

  it('refuses malformed documents and references outside the document with field errors', async () => {
    const post = (body: unknown) =>
      call(s.api.url, '/api/v1/tenant-config/import', { key: s.betaKey, method: 'POST', body });
    const bad = await post({ format: 'something else' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.parameter, 'format');
    const wrongType = await post({ ...exported, alertRules: [{ ref: 'x', rule: {} }] });
    assert.equal(wrongType.status, 400);
    assert.ok(wrongType.body.error.details.issues.some((i: Json) => i.path === 'alertRules.0.ref'));

    // A rule naming a channel the document does not hold (here: one of the importing tenant's own) is refused.
    const betaChannel = (await ok('/api/v1/notification-channels', s.betaKey, 'GET'))[0].id;
    const rule = {
      ...exported.alertRules[0],
      rule: { ...exported.alertRules[0].rule, name: 'elsewhere', channels: [betaChannel] },
    };
    const foreign = await post({ format: exported.format, alertRules: [rule] });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error.details.parameter, 'alertRules.0.rule.channels.0');
    const page = { slug: 'other-page', title: 'Other', components: [{ name: 'x', monitorId: betaChannel }] };
    const foreignMonitor = await post({ format: exported.format, statusPages: [page] });
    assert.equal(foreignMonitor.status, 400);
    assert.equal(foreignMonitor.body.error.details.parameter, 'statusPages.0.components.0.monitorId');
    assert.equal(
      (await ok('/api/v1/alert-rules', s.betaKey, 'GET')).filter((r: Json) => r.name === 'elsewhere').length,
      0,
    );
  });

  it('the export and the import are in the audit log', async () => {
    await s.api.drainAuditOutbox();
    const rs = await s.ch.query({
      query: `SELECT Action AS action, Outcome AS outcome, count() AS n FROM audit_events FINAL
               WHERE TenantId = 'beta' AND Action LIKE 'tenantConfig.%' GROUP BY action, outcome ORDER BY action, outcome`,
      format: 'JSONEachRow',
    });
    const rows = (await rs.json<Json>()).map((r: Json) => `${r.action} ${r.outcome}`);
    assert.ok(rows.includes('tenantConfig.export success'), rows.join(', '));
    assert.ok(rows.includes('tenantConfig.import success'), rows.join(', '));
    assert.ok(rows.includes('tenantConfig.import error'), rows.join(', '));
    // An export's event records that it happened, not the document; an import's keeps its report.
    const states = await s.ch.query({
      query: `SELECT Action AS action, After AS after FROM audit_events FINAL
               WHERE TenantId = 'beta' AND Action LIKE 'tenantConfig.%' AND Outcome = 'success'`,
      format: 'JSONEachRow',
    });
    for (const e of await states.json<Json>()) {
      if (e.action === 'tenantConfig.export') assert.equal(e.after, '');
      else assert.ok(Array.isArray(JSON.parse(e.after).items), e.after.slice(0, 200));
    }
  });
});
