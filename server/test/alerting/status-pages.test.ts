import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertHistory, ClickHouseConditionReader, RuleScheduler } from '@telemetryflow/alerting';
import { call, insertSpans, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
let scheduler: RuleScheduler;

async function ok(path: string, body: unknown, method = 'POST'): Promise<Json> {
  const res = await call(s.api.url, path, { key: s.key, method, body });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body?.data;
}

before(async () => {
  s = await startAlertingStores('tf-status-pages-');
  scheduler = new RuleScheduler({
    dataSource: s.cp.dataSource,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history: new AlertHistory(s.ch, s.reads),
    replicaId: 'a',
  });
});
after(async () => {
  await s.close();
});

describe('status pages', () => {
  it('a firing rule opens an incident on its component, the public page shows the outage, recovery closes it', async () => {
    const rule = await ok('/api/v1/alert-rules', {
      name: 'internal-checkout-slo-rule',
      severity: 'critical',
      for: '0s',
      condition: { kind: 'absence', signal: 'spans', service: 'checkout', window: '5m' },
    });
    const page = await ok('/api/v1/status-pages', {
      slug: 'acme',
      title: 'Acme <Cloud>',
      description: 'Service status',
    });
    const checkout = await ok(`/api/v1/status-pages/${page.id}/components`, {
      name: 'Checkout',
      ruleIds: [rule.id],
      position: 1,
    });
    await ok(`/api/v1/status-pages/${page.id}/components`, { name: 'Website', position: 0 });

    await scheduler.tick();
    const html = await fetch(`${s.api.url}/status/acme`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(html.headers.get('cache-control') ?? '', /public, max-age=30/);
    const text = await html.text();
    assert.match(text, /Acme &lt;Cloud&gt;/, 'escaped');
    assert.match(text, /<div class="banner major_outage">Major outage<\/div>/);
    assert.match(text, /Checkout: major outage/);
    assert.doesNotMatch(text, /<script/i);
    assert.equal((text.match(/class="bars"/g) ?? []).length, 2);

    const api = await call(s.api.url, '/status/acme/api');
    assert.equal(api.status, 200);
    const view = api.body.data;
    assert.equal(view.status, 'major_outage');
    assert.deepEqual(
      view.components.map((c: Json) => [c.name, c.status]),
      [
        ['Website', 'operational'],
        ['Checkout', 'major_outage'],
      ],
    );
    assert.equal(view.components[1].days.length, 90);
    assert.equal(view.incidents.length, 1);
    assert.equal(view.incidents[0].automatic, true);
    const raw = JSON.stringify(api.body);
    for (const secret of [rule.id, rule.name, 'default'])
      assert.equal(raw.includes(secret), false, `public JSON leaks ${secret}`);

    await insertSpans(s.ch, { service: 'checkout', atMs: Date.now() - 1000, n: 2 });
    await s.cp.dataSource.query('UPDATE alert_rule_leases SET due_at = now()');
    await scheduler.tick();
    const after = (await call(s.api.url, '/status/acme/api')).body.data;
    assert.equal(after.status, 'operational');
    assert.equal(after.incidents[0].status, 'resolved');
    assert.deepEqual(
      after.incidents[0].updates.map((u: Json) => u.status),
      ['investigating', 'resolved'],
    );
    assert.equal(after.components[1].days[89].status, 'major_outage', 'today had an outage');

    const feed = await fetch(`${s.api.url}/status/acme/feed.atom`);
    assert.match(feed.headers.get('content-type') ?? '', /application\/atom\+xml/);
    const atom = await feed.text();
    assert.match(atom, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    assert.match(atom, /<title>Checkout: major outage \(resolved\)<\/title>/);
    const rss = await fetch(`${s.api.url}/status/acme/feed.rss`);
    assert.match(rss.headers.get('content-type') ?? '', /application\/rss\+xml/);
    const rssText = await rss.text();
    assert.match(rssText, /<rss version="2.0">/);
    assert.match(
      rssText,
      /<item><guid isPermaLink="false">urn:uuid:[0-9a-f-]{36}<\/guid><title>Checkout: major outage \(resolved\)<\/title>/,
    );

    const adminView = await ok(`/api/v1/status-pages/${page.id}`, undefined, 'GET');
    assert.equal(adminView.components.find((c: Json) => c.id === checkout.id).status, 'operational');
  });

  it('incidents and maintenance written by hand, with updates', async () => {
    const page = await ok('/api/v1/status-pages', { slug: 'manual', title: 'Manual' });
    const api = await ok(`/api/v1/status-pages/${page.id}/components`, { name: 'API' });
    const incident = await ok(`/api/v1/status-pages/${page.id}/incidents`, {
      title: 'Slow API',
      impact: 'degraded',
      message: 'Looking into it',
      componentId: api.id,
    });
    const degraded = await call(s.api.url, '/status/manual/api');
    assert.equal(degraded.body.data.components[0].status, 'degraded');
    const again = await fetch(`${s.api.url}/status/manual/api`, {
      headers: { 'if-none-match': degraded.headers.get('etag')! },
    });
    assert.equal(again.status, 304, 'unchanged content: a conditional request gets 304');
    const updated = await ok(`/api/v1/status-pages/${page.id}/incidents/${incident.id}/updates`, {
      status: 'resolved',
      message: 'Fixed',
    });
    assert.notEqual(updated.resolvedAt, null);
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const end = new Date(Date.now() + 90_000_000).toISOString();
    await ok(`/api/v1/status-pages/${page.id}/incidents`, {
      title: 'Database upgrade',
      impact: 'maintenance',
      message: 'Planned',
      startsAt: start,
      endsAt: end,
    });
    const view = (await call(s.api.url, '/status/manual/api')).body.data;
    assert.equal(view.status, 'operational');
    assert.deepEqual(
      view.scheduledMaintenance.map((m: Json) => m.title),
      ['Database upgrade'],
    );
    const bad = await call(s.api.url, `/api/v1/status-pages/${page.id}/incidents`, {
      key: s.key,
      method: 'POST',
      body: { title: 'x', impact: 'maintenance', message: 'y' },
    });
    assert.equal(bad.status, 400);
    await ok(
      `/api/v1/status-pages/${page.id}/components/${api.id}`,
      { name: 'API', manualStatus: 'partial_outage' },
      'PUT',
    );
    assert.equal((await call(s.api.url, '/status/manual/api')).body.data.status, 'partial_outage');
  });

  it('admin only, tenants apart, slugs unique, unknown pages 404', async () => {
    assert.equal((await call(s.api.url, '/api/v1/status-pages', { key: s.readKey })).status, 403);
    const dup = await call(s.api.url, '/api/v1/status-pages', {
      key: s.betaKey,
      method: 'POST',
      body: { slug: 'acme', title: 'Mine' },
    });
    assert.equal(dup.status, 409);
    const page = (await call(s.api.url, '/api/v1/status-pages', { key: s.key })).body.data[0];
    assert.equal((await call(s.api.url, `/api/v1/status-pages/${page.id}`, { key: s.betaKey })).status, 404);
    assert.equal(
      (
        await call(s.api.url, `/api/v1/status-pages/${page.id}/components`, {
          key: s.betaKey,
          method: 'POST',
          body: { name: 'x' },
        })
      ).status,
      404,
    );
    const foreignRule = await call(s.api.url, '/api/v1/status-pages', {
      key: s.betaKey,
      method: 'POST',
      body: { slug: 'beta', title: 'Beta' },
    });
    const rules = (await call(s.api.url, '/api/v1/alert-rules', { key: s.key })).body.data;
    const bind = await call(s.api.url, `/api/v1/status-pages/${foreignRule.body.data.id}/components`, {
      key: s.betaKey,
      method: 'POST',
      body: { name: 'x', ruleIds: [rules[0].id] },
    });
    assert.equal(bind.status, 400, "a component cannot watch another tenant's rule");
    // A person's browser opens these: an HTML page, not an API error.
    for (const path of ['/status/nope', '/status/..%2Fetc']) {
      const missing = await fetch(`${s.api.url}${path}`);
      assert.equal(missing.status, 404, path);
      assert.match(missing.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.match(await missing.text(), /Status page not found/, path);
    }
    assert.equal((await call(s.api.url, '/status/nope/api')).status, 404);
    const badSlug = await call(s.api.url, '/api/v1/status-pages', {
      key: s.key,
      method: 'POST',
      body: { slug: 'Not A Slug', title: 'x' },
    });
    assert.equal(badSlug.status, 400);
  });
});
