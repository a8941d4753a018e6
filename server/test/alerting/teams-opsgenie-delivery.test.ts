// Microsoft Teams and Opsgenie channels end to end: a rule fires and resolves, the
// dispatcher sends to local HTTP servers that answer as Teams and Opsgenie do, and the
// channel test shows a 400 as permanent and a 503 as retried.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AlertHistory,
  ClickHouseConditionReader,
  NotificationDispatcher,
  RuleScheduler,
} from '@telemetryflow/alerting';
import { startReceiver, type Receiver } from './receivers.js';
import { call, insertSpans, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
let history: AlertHistory;
const receivers: Receiver[] = [];
const GENIE_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';

function scheduler(): RuleScheduler {
  return new RuleScheduler({
    dataSource: s.cp.dataSource,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history,
    replicaId: 'a',
  });
}
function dispatcher(): NotificationDispatcher {
  return new NotificationDispatcher({ dataSource: s.cp.dataSource, delivery: s.delivery, history, roundDelayMs: 0 });
}
async function post(path: string, body: unknown): Promise<Json> {
  const res = await call(s.api.url, path, { key: s.key, method: 'POST', body });
  assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body?.data;
}
async function channel(id: string): Promise<Json> {
  return (await call(s.api.url, `/api/v1/notification-channels/${id}`, { key: s.readKey })).body.data;
}

/** A Teams webhook: 200 for a message with an Adaptive Card attachment, 400 otherwise. */
async function startTeams(): Promise<Receiver> {
  return startReceiver((r) => {
    try {
      const m = JSON.parse(r.body) as Json;
      const a = m.attachments?.[0];
      if (
        m.type === 'message' &&
        a?.contentType === 'application/vnd.microsoft.card.adaptive' &&
        a.content?.type === 'AdaptiveCard' &&
        Array.isArray(a.content.body)
      )
        return { status: 200, body: '1' };
    } catch {
      // falls through to the 400
    }
    return { status: 400, body: 'Bad payload received by generic incoming webhook.' };
  });
}

/**
 * Opsgenie's Alert API v2 as documented: 401 without the integration's GenieKey, 202 for a
 * valid create (message ≤ 130 characters, else 422) and for a close by alias; `alerts` by alias.
 */
async function startOpsgenie(): Promise<Receiver & { alerts: Map<string, 'open' | 'closed'> }> {
  const alerts = new Map<string, 'open' | 'closed'>();
  const accepted = { status: 202, body: '{"result":"Request will be processed","took":0.01,"requestId":"r"}' };
  const receiver = await startReceiver((r) => {
    if (r.headers.authorization !== `GenieKey ${GENIE_KEY}`)
      return { status: 401, body: '{"message":"Could not authenticate"}' };
    let b: Json;
    try {
      b = JSON.parse(r.body) as Json;
    } catch {
      return { status: 400, body: '{"message":"Invalid JSON"}' };
    }
    if (r.path === '/v2/alerts') {
      if (typeof b.message !== 'string' || b.message.length === 0 || b.message.length > 130)
        return { status: 422, body: '{"message":"Request body is not processable"}' };
      alerts.set(b.alias ?? b.message, 'open');
      return accepted;
    }
    // Actions are processed asynchronously: a close of an unknown alias is accepted too.
    const close = /^\/v2\/alerts\/([^/?]+)\/close\?identifierType=alias$/.exec(r.path);
    if (close) {
      alerts.set(decodeURIComponent(close[1]!), 'closed');
      return accepted;
    }
    return { status: 404, body: '{"message":"Not found"}' };
  });
  return Object.assign(receiver, { alerts });
}

/** Fires a rule on `channelId` (no spans of `service`), then resolves it: two notifications arrive. */
async function fireAndResolve(receiver: Receiver, channelId: string, service: string): Promise<void> {
  const rule = await post('/api/v1/alert-rules', {
    name: `${service} down`,
    severity: 'critical',
    for: '0s',
    groupWait: '0s',
    channels: [channelId],
    condition: { kind: 'absence', signal: 'spans', service, window: '5m' },
    annotations: { summary: `no spans from ${service}` },
  });
  await scheduler().tick();
  assert.equal(await dispatcher().tick(), 1);
  assert.equal(receiver.received.length, 1, 'the firing notification');
  await insertSpans(s.ch, { service, atMs: Date.now() - 1000, n: 3 });
  await s.cp.dataSource.query('UPDATE alert_rule_leases SET due_at = now()');
  await scheduler().tick();
  assert.equal(await dispatcher().tick(), 1);
  assert.equal(receiver.received.length, 2, 'the resolved notification');
  const sent = await call(s.api.url, `/api/v1/alerts/history?ruleId=${rule.id}&event=notification`, {
    key: s.readKey,
  });
  assert.deepEqual(sent.body.data.map((e: Json) => `${e.toState}:${e.outcome}`).sort(), [
    'firing:queued',
    'firing:sent',
    'resolved:queued',
    'resolved:sent',
  ]);
}

/** The channel test: 400 is permanent (one attempt, channel failing), 503 is tried again. */
async function permanentAndRetried(receiver: Receiver, channelId: string): Promise<void> {
  const before = receiver.received.length;
  receiver.script.push({ status: 400, body: 'bad' });
  assert.deepEqual(await post(`/api/v1/notification-channels/${channelId}/test`, {}), {
    delivered: false,
    status: 400,
    attempts: 1,
    error: 'delivery failed: the receiver answered HTTP 400',
  });
  assert.equal(receiver.received.length, before + 1, 'no retry of a 400');
  assert.equal((await channel(channelId)).failing, true);
  receiver.script.push({ status: 503 });
  const retried = await post(`/api/v1/notification-channels/${channelId}/test`, {});
  assert.equal(receiver.received.length, before + 3, 'the 503 was tried again');
  assert.ok(retried.delivered, JSON.stringify(retried));
  assert.equal(retried.attempts, 2);
  assert.equal((await channel(channelId)).failing, false);
}

before(async () => {
  s = await startAlertingStores('tf-alert-teams-opsgenie-');
  history = new AlertHistory(s.ch, s.reads);
});
after(async () => {
  for (const r of receivers) await r.close();
  await s.close();
});

describe('Microsoft Teams and Opsgenie channels', () => {
  it('Teams: an Adaptive Card when the alert fires and when it resolves; 400 permanent, 503 retried', async () => {
    const teams = await startTeams();
    receivers.push(teams);
    const c = await post('/api/v1/notification-channels', {
      type: 'msteams',
      name: 'teams',
      url: `${teams.url}/webhookb2/0000@1111/IncomingWebhook/2222/3333`,
    });
    assert.deepEqual([c.type, c.target], ['msteams', teams.url], 'only scheme and host are shown');
    await fireAndResolve(teams, c.id, 'teams-svc');
    const [fired, resolved] = teams.received.map((r) => {
      assert.equal(r.path, '/webhookb2/0000@1111/IncomingWebhook/2222/3333');
      assert.equal(r.headers['content-type'], 'application/json');
      return (JSON.parse(r.body) as Json).attachments[0].content;
    });
    assert.equal(fired.version, '1.4');
    assert.deepEqual([fired.body[0].text, fired.body[1].text], ['FIRING: teams-svc down', 'no spans from teams-svc']);
    assert.deepEqual(fired.body[2].facts.slice(0, 2), [
      { title: 'State', value: 'firing' },
      { title: 'Severity', value: 'critical' },
    ]);
    assert.ok(
      fired.body.some((b: Json) => b.facts?.some((f: Json) => f.title === 'service' && f.value === 'teams-svc')),
      'the labels',
    );
    assert.equal(resolved.body[0].text, 'RESOLVED: teams-svc down');
    await permanentAndRetried(teams, c.id);
    assert.equal(
      (JSON.parse(teams.received.at(-1)!.body) as Json).attachments[0].content.body[0].text,
      'TelemetryFlow test notification',
    );
  });

  it('Opsgenie: created with GenieKey and an alias, closed by that alias; the key never comes back', async () => {
    const og = await startOpsgenie();
    receivers.push(og);
    const c = await post('/api/v1/notification-channels', {
      type: 'opsgenie',
      name: 'opsgenie',
      apiKey: GENIE_KEY,
      apiUrl: og.url,
    });
    assert.deepEqual([c.type, c.target], ['opsgenie', og.url]);
    assert.equal(JSON.stringify(await channel(c.id)).includes(GENIE_KEY), false);
    const listed = await call(s.api.url, '/api/v1/notification-channels', { key: s.readKey });
    assert.equal(JSON.stringify(listed.body).includes(GENIE_KEY), false);

    await fireAndResolve(og, c.id, 'og-svc');
    const [create, close] = og.received;
    assert.equal(create!.path, '/v2/alerts');
    assert.equal(create!.headers.authorization, `GenieKey ${GENIE_KEY}`);
    assert.equal(create!.headers['content-type'], 'application/json');
    const alert = JSON.parse(create!.body) as Json;
    assert.equal(alert.message, 'FIRING: og-svc down: no spans from og-svc');
    assert.equal(alert.priority, 'P1', 'critical is P1');
    assert.equal(alert.details.service, 'og-svc');
    assert.ok(alert.tags.includes('service:og-svc'));
    assert.match(alert.alias, /^[0-9a-f]{32}$/);
    assert.equal(close!.path, `/v2/alerts/${alert.alias}/close?identifierType=alias`);
    assert.equal(close!.headers.authorization, `GenieKey ${GENIE_KEY}`);
    assert.deepEqual([...og.alerts], [[alert.alias, 'closed']]);

    await permanentAndRetried(og, c.id);
    const test = JSON.parse(og.received.at(-1)!.body) as Json;
    assert.deepEqual([test.priority, test.alias.startsWith('telemetryflow-test-')], ['P5', true]);
  });

  it('documents both types in OpenAPI', async () => {
    const doc = (await call(s.api.url, '/api/v1/openapi.json')).body;
    const variants: Json[] =
      doc.paths['/api/v1/notification-channels'].post.requestBody.content['application/json'].schema.oneOf;
    const byType = Object.fromEntries(variants.map((v) => [v.properties.type.const, v]));
    assert.deepEqual(byType.msteams.required, ['type', 'name', 'url']);
    assert.deepEqual(byType.opsgenie.required, ['type', 'name', 'apiKey']);
    assert.equal(byType.opsgenie.properties.apiUrl.default, 'https://api.opsgenie.com');
  });

  it('refuses an Opsgenie channel without a key and a Teams channel without an http(s) URL', async () => {
    for (const body of [
      { type: 'opsgenie', name: 'og-bad', apiKey: '' },
      { type: 'msteams', name: 'teams-bad', url: 'ftp://example.com/hook' },
    ]) {
      const res = await call(s.api.url, '/api/v1/notification-channels', { key: s.key, method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(res.body));
    }
  });
});
