import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AddressGuard,
  AlertHistory,
  ClickHouseConditionReader,
  HttpDelivery,
  NotificationDispatcher,
  parseCidrs,
  RuleScheduler,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '@telemetryflow/alerting';
import { startDnsServer } from './dns-server.js';
import { startPagerDuty, startReceiver, startSlack, type Receiver } from './receivers.js';
import { call, insertSpans, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
let history: AlertHistory;
const receivers: Receiver[] = [];
const ROUTING_KEY = 'R0UT1NGK3Y0000000000000000000000';

function scheduler(id = 'a'): RuleScheduler {
  return new RuleScheduler({
    dataSource: s.cp.dataSource,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history,
    replicaId: id,
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
async function makeDue(): Promise<void> {
  await s.cp.dataSource.query('UPDATE alert_rule_leases SET due_at = now()');
}

before(async () => {
  s = await startAlertingStores('tf-alert-delivery-');
  history = new AlertHistory(s.ch, s.reads);
});
after(async () => {
  for (const r of receivers) await r.close();
  await s.close();
});

describe('delivery', () => {
  it('PagerDuty: 429, then 500, then success is one incident with one dedup key, resolved later', async () => {
    const pd = await startPagerDuty();
    receivers.push(pd);
    const channel = await post('/api/v1/notification-channels', {
      type: 'pagerduty',
      name: 'on-call',
      routingKey: ROUTING_KEY,
      url: `${pd.url}/v2/enqueue`,
    });
    assert.equal(channel.target, pd.url, 'only scheme and host are shown');
    assert.equal(JSON.stringify(channel).includes(ROUTING_KEY), false);
    const rule = await post('/api/v1/alert-rules', {
      name: 'payments down',
      severity: 'critical',
      for: '0s',
      groupWait: '0s',
      channels: [channel.id],
      condition: { kind: 'absence', signal: 'spans', service: 'payments', window: '5m' },
      annotations: { summary: 'no spans from payments' },
    });
    await scheduler().tick();
    pd.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const started = Date.now();
    assert.equal(await dispatcher().tick(), 1);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
    assert.equal(pd.received.length, 3);
    const events = pd.received.map((r) => JSON.parse(r.body) as Json);
    assert.equal(new Set(events.map((e) => e.dedup_key)).size, 1);
    assert.equal(events[0].payload.severity, 'critical');
    assert.equal(events[0].payload.source, 'payments', 'the service label is the source');
    assert.match(events[0].payload.summary, /payments down: no spans from payments/);
    assert.equal(pd.incidents.size, 1);
    assert.equal(await dispatcher().tick(), 0, 'sent once');

    await insertSpans(s.ch, { service: 'payments', atMs: Date.now() - 1000, n: 3 });
    await makeDue();
    await scheduler().tick();
    await dispatcher().tick();
    assert.equal(pd.received.length, 4);
    const resolve = JSON.parse(pd.received[3]!.body) as Json;
    assert.equal(resolve.event_action, 'resolve');
    assert.equal(resolve.dedup_key, events[0].dedup_key);
    assert.deepEqual([...pd.incidents.values()], ['resolved']);

    const sent = await call(s.api.url, `/api/v1/alerts/history?ruleId=${rule.id}&event=notification`, {
      key: s.readKey,
    });
    const outcomes = sent.body.data.map((e: Json) => `${e.toState}:${e.outcome}`).sort();
    assert.deepEqual(outcomes, ['firing:queued', 'firing:sent', 'resolved:queued', 'resolved:sent']);
    await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' });
  });

  it('deleting a firing rule resolves its PagerDuty incident and closes its status-page incident', async () => {
    const pd = await startPagerDuty();
    receivers.push(pd);
    const channel = await post('/api/v1/notification-channels', {
      type: 'pagerduty',
      name: 'pd2',
      routingKey: ROUTING_KEY,
      url: pd.url,
    });
    const rule = await post('/api/v1/alert-rules', {
      name: 'doomed',
      for: '0s',
      groupWait: '0s',
      channels: [channel.id],
      condition: { kind: 'absence', signal: 'logs', service: 'doomed', window: '5m' },
    });
    const page = await post('/api/v1/status-pages', { slug: 'doomed', title: 'Doomed' });
    await post(`/api/v1/status-pages/${page.id}/components`, { name: 'Thing', ruleIds: [rule.id] });
    await scheduler().tick();
    await dispatcher().tick();
    assert.deepEqual([...pd.incidents.values()], ['triggered']);
    assert.equal((await call(s.api.url, '/status/doomed/api')).body.data.status, 'partial_outage');
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' })).status,
      204,
    );
    await dispatcher().tick();
    assert.deepEqual([...pd.incidents.values()], ['resolved']);
    assert.equal((await call(s.api.url, '/status/doomed/api')).body.data.status, 'operational');
    assert.deepEqual((await call(s.api.url, `/api/v1/alerts?ruleId=${rule.id}`, { key: s.readKey })).body.data, []);
  });

  it('Slack 410: no retry storm, the channel is marked failing', async () => {
    const slack = await startSlack();
    receivers.push(slack);
    const channel = await post('/api/v1/notification-channels', {
      type: 'slack',
      name: 'archived',
      url: `${slack.url}/services/T000/B000/XXXX`,
    });
    const rule = await post('/api/v1/alert-rules', {
      name: 'to archived channel',
      for: '0s',
      groupWait: '0s',
      channels: [channel.id],
      condition: { kind: 'absence', signal: 'logs', service: 'none', window: '5m' },
    });
    slack.script.push({ status: 410, body: 'channel_is_archived' });
    await scheduler().tick();
    await dispatcher().tick();
    assert.equal(slack.received.length, 1);
    assert.equal(await dispatcher().tick(), 0);
    const got = await call(s.api.url, `/api/v1/notification-channels/${channel.id}`, { key: s.readKey });
    assert.equal(got.body.data.failing, true);
    assert.equal(got.body.data.lastError, 'delivery failed: the receiver answered HTTP 410');
    // A working test message clears the mark; the message is Block Kit.
    const test = await post(`/api/v1/notification-channels/${channel.id}/test`, {});
    assert.deepEqual(test, { delivered: true, status: 200, attempts: 1, error: null });
    const message = JSON.parse(slack.received[1]!.body) as Json;
    assert.equal(message.blocks[0].type, 'header');
    assert.equal(
      (await call(s.api.url, `/api/v1/notification-channels/${channel.id}`, { key: s.readKey })).body.data.failing,
      false,
    );
    // Deleting the rule ends its alert: one resolve, to the channel that works again.
    await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' });
    assert.equal(await dispatcher().tick(), 1);
    assert.equal(slack.received.length, 3);
    assert.match((JSON.parse(slack.received[2]!.body) as Json).text, /^RESOLVED: to archived channel/);
  });

  it('webhook: signed with HMAC-SHA256 over timestamp and body; two dispatchers send it once', async () => {
    const hook = await startReceiver(() => ({ status: 204 }));
    receivers.push(hook);
    const secret = 'a-very-secret-signing-key';
    const channel = await post('/api/v1/notification-channels', {
      type: 'webhook',
      name: 'hook',
      url: `${hook.url}/alerts`,
      secret,
    });
    const rule = await post('/api/v1/alert-rules', {
      name: 'hooked',
      for: '0s',
      groupWait: '0s',
      channels: [channel.id],
      labels: { team: 'core' },
      condition: { kind: 'absence', signal: 'logs', service: 'hooked', window: '5m' },
    });
    await scheduler().tick();
    const counts = await Promise.all([dispatcher().tick(), dispatcher().tick()]);
    assert.equal(counts[0]! + counts[1]!, 1);
    assert.equal(hook.received.length, 1);
    const r = hook.received[0]!;
    const ts = r.headers[TIMESTAMP_HEADER] as string;
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    assert.equal(
      r.headers[SIGNATURE_HEADER],
      `v1=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`,
    );
    const body = JSON.parse(r.body) as Json;
    assert.equal(body.kind, 'firing');
    assert.equal(body.labels.team, 'core');
    assert.equal(body.labels.alertname, 'hooked');
    assert.match(body.fingerprint, /^[0-9a-f]{32}$/);
    await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' });
  });

  it('refuses private targets at connect time, by literal or by name, in every IPv6 form that carries a private IPv4 address', async () => {
    const target = await startReceiver(() => ({ status: 200 }));
    receivers.push(target);
    const port = new URL(target.url).port;
    // Names resolve through a DNS server of this test: every address a name has is checked.
    const dns = await startDnsServer({
      localhost: ['127.0.0.1', '::1'],
      'receiver.test': ['127.0.0.1'],
      'compatible.test': ['::127.0.0.1'],
      'nat64.test': ['64:ff9b::7f00:1'],
      '6to4.test': ['2002:7f00:1::1'],
      'teredo.test': ['2001::80ff:fffe'],
      'metadata.test': ['64:ff9b::a9fe:a9fe'],
      'one-of-two.test': ['93.184.215.14', '::ffff:127.0.0.1'],
    });
    const log: string[] = [];
    const strict = new HttpDelivery({
      guard: new AddressGuard(),
      maxAttempts: 2,
      baseDelayMs: 1,
      resolve: (h) => dns.resolve(h),
      log: (m) => log.push(m),
    });
    const selfHosted = new HttpDelivery({
      guard: new AddressGuard(parseCidrs('127.0.0.0/8')),
      resolve: (h) => dns.resolve(h),
    });
    try {
      const literals = [
        `${target.url}/x`,
        `http://localhost:${port}/x`,
        `http://[::ffff:127.0.0.1]:${port}/x`,
        `http://[::127.0.0.1]:${port}/x`,
        `http://[0:0:0:0:0:ffff:7f00:1]:${port}/x`,
        `http://[64:ff9b::7f00:1]:${port}/x`,
        `http://[2002:7f00:1::1]:${port}/x`,
        'http://169.254.169.254/latest/meta-data',
      ];
      const names = ['receiver', 'compatible', 'nat64', '6to4', 'teredo', 'metadata', 'one-of-two'].map(
        (n) => `http://${n}.test:${port}/x`,
      );
      for (const url of [...literals, ...names]) {
        log.length = 0;
        const res = await strict.send({ url, headers: {}, body: '{}' });
        assert.equal(res.delivered, false, url);
        assert.equal(!res.delivered && res.permanent, true, url);
        assert.equal(
          !res.delivered && res.error,
          "delivery failed: the receiver's address is not allowed (private, loopback or reserved)",
          url,
        );
        assert.match(log.join('\n'), /blocked/, `${url}: the log says why`);
      }
      assert.match(
        ((await strict.send({ url: `http://metadata.test:${port}/x`, headers: {}, body: '{}' })) as { error: string })
          .error,
        /not allowed/,
      );
      assert.match(
        log.join('\n'),
        /metadata\.test resolves to a blocked address: 64:ff9b::a9fe:a9fe \(NAT64, 169\.254\.169\.254\)/,
      );
      assert.equal(target.received.length, 0, 'nothing reached the private receiver');
      // The same name is reachable where the operator allows loopback: the names really resolve.
      assert.equal(
        (await selfHosted.send({ url: `http://receiver.test:${port}/x`, headers: {}, body: '{}' })).delivered,
        true,
      );
      assert.equal(target.received.length, 1);
    } finally {
      await strict.close();
      await selfHosted.close();
      await dns.close();
    }
  });

  it('never follows redirects', async () => {
    const target = await startReceiver(() => ({ status: 200 }));
    receivers.push(target);
    const redirect = await startReceiver(() => ({ status: 302, headers: { location: `${target.url}/elsewhere` } }));
    receivers.push(redirect);
    const res = await s.delivery.send({ url: redirect.url, headers: {}, body: '{}' });
    assert.equal(res.delivered, false);
    assert.equal(!res.delivered && res.permanent, true);
    assert.equal(
      !res.delivered && res.error,
      'delivery failed: the receiver answered HTTP 302 (redirects are not followed)',
    );
    assert.equal(target.received.length, 0, 'the redirect target was never asked');
  });

  it('a target that never answers times out and is retried, then given up for this round', async () => {
    const { createServer } = await import('node:http');
    const hanging = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const { port } = hanging.address() as { port: number };
    const log: string[] = [];
    const slow = new HttpDelivery({
      guard: new AddressGuard(parseCidrs('127.0.0.1')),
      requestTimeoutMs: 200,
      maxAttempts: 2,
      baseDelayMs: 1,
      log: (m) => log.push(m),
    });
    try {
      const started = Date.now();
      const res = await slow.send({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}' });
      assert.equal(res.delivered, false);
      assert.equal(!res.delivered && res.permanent, false, 'worth another round later');
      assert.equal(res.attempts, 2);
      assert.equal(!res.delivered && res.error, 'delivery failed: the receiver did not answer in time');
      assert.match(
        log.join('\n'),
        new RegExp(`notification to http://127\\.0\\.0\\.1:${port} failed: UND_ERR_HEADERS_TIMEOUT`),
        'the detail is logged',
      );
      assert.ok(Date.now() - started < 3000);
    } finally {
      await slow.close();
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it('test messages and delivery records say that the receiver could not be reached, never how: the detail goes to the log', async () => {
    const closed = await startReceiver(() => ({ status: 200 }));
    const port = new URL(closed.url).port;
    await closed.close(); // nothing listens there any more: connections are refused
    const channel = await post('/api/v1/notification-channels', {
      type: 'webhook',
      name: 'gone',
      url: `http://127.0.0.1:${port}/hook`,
      secret: 'a-very-secret-signing-key',
    });
    s.deliveryLog.length = 0;
    const test = await call(s.api.url, `/api/v1/notification-channels/${channel.id}/test`, {
      key: s.key,
      method: 'POST',
      body: {},
    });
    assert.equal(test.status, 200);
    assert.deepEqual(test.body.data, {
      delivered: false,
      status: null,
      attempts: 4,
      error: 'delivery failed: the receiver could not be reached',
    });
    assert.match(
      s.deliveryLog.join('\n'),
      new RegExp(`ECONNREFUSED.*127\\.0\\.0\\.1:${port}`),
      'the log has the socket error',
    );

    const rule = await post('/api/v1/alert-rules', {
      name: 'unreachable receiver',
      for: '0s',
      groupWait: '0s',
      channels: [channel.id],
      condition: { kind: 'absence', signal: 'logs', service: 'unreachable', window: '5m' },
    });
    await scheduler().tick();
    await dispatcher().tick();
    const records = (
      await call(s.api.url, `/api/v1/alerts/history?ruleId=${rule.id}&event=notification`, { key: s.readKey })
    ).body.data as Json[];
    const sent = records.find((r) => r.outcome !== 'queued');
    assert.equal(
      sent?.message.startsWith('delivery failed: the receiver could not be reached'),
      true,
      JSON.stringify(records),
    );
    const lastError = (await call(s.api.url, `/api/v1/notification-channels/${channel.id}`, { key: s.readKey })).body
      .data.lastError as string | null;
    for (const shown of [test.body.data.error, ...records.map((r) => r.message), lastError]) {
      assert.equal(
        /ECONNREFUSED|127\.0\.0\.1|\d{4,5}/.test(shown ?? ''),
        false,
        `no address, port or socket error in ${shown}`,
      );
    }
    await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' });
    await call(s.api.url, `/api/v1/notification-channels/${channel.id}`, { key: s.key, method: 'DELETE' });
  });

  it('channel routes: validation, tenants, secrets', async () => {
    const bad = await call(s.api.url, '/api/v1/notification-channels', {
      key: s.key,
      method: 'POST',
      body: { type: 'webhook', name: 'x', url: 'ftp://example.com', secret: 'short' },
    });
    assert.equal(bad.status, 400);
    const denied = await call(s.api.url, '/api/v1/notification-channels', {
      key: s.readKey,
      method: 'POST',
      body: { type: 'slack', name: 'x', url: 'https://hooks.slack.com/services/T/B/C' },
    });
    assert.equal(denied.status, 403);
    const mine = await post('/api/v1/notification-channels', {
      type: 'slack',
      name: 'secret url',
      url: 'https://hooks.slack.com/services/T1/B2/SECRETTOKEN',
    });
    assert.equal(mine.target, 'https://hooks.slack.com');
    const list = await call(s.api.url, '/api/v1/notification-channels', { key: s.readKey });
    assert.equal(JSON.stringify(list.body).includes('SECRETTOKEN'), false);
    assert.equal((await call(s.api.url, `/api/v1/notification-channels/${mine.id}`, { key: s.betaKey })).status, 404);
    assert.equal(
      (
        await call(s.api.url, `/api/v1/notification-channels/${mine.id}/test`, {
          key: s.betaKey,
          method: 'POST',
          body: {},
        })
      ).status,
      404,
    );
    const betaRule = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.betaKey,
      method: 'POST',
      body: { name: 'x', channels: [mine.id], condition: { kind: 'absence', signal: 'logs', window: '5m' } },
    });
    assert.equal(betaRule.status, 400, 'another tenant cannot route alerts to this channel');
    const rule = await post('/api/v1/alert-rules', {
      name: 'uses secret url',
      channels: [mine.id],
      condition: { kind: 'absence', signal: 'logs', window: '5m' },
    });
    assert.equal(
      (await call(s.api.url, `/api/v1/notification-channels/${mine.id}`, { key: s.key, method: 'DELETE' })).status,
      204,
    );
    const after = (await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key })).body.data;
    assert.deepEqual(after.channels, [], 'a deleted channel leaves the rules that used it');
    const { id: _id, createdAt: _c, updatedAt: _u, ...input } = after;
    assert.equal(
      (await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'PUT', body: input })).status,
      200,
      'and the rule stays editable',
    );
    await call(s.api.url, `/api/v1/alert-rules/${rule.id}`, { key: s.key, method: 'DELETE' });
  });
});
