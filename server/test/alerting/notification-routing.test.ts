// Notification policies through the real wiring: rules evaluated by the scheduler, routed
// by the router (its state in Postgres, two replicas), sent by the dispatcher to real
// HTTP receivers and a real SMTP server — on a fake clock, checked against what
// Alertmanager's documentation says of group_wait, group_interval, repeat_interval,
// continue, mute time intervals and silences.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { createApiKey, createTenant } from '@telemetryflow/identity';
import { insertRows } from '@telemetryflow/query/test-helpers';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';
import {
  AlertHistory,
  ClickHouseAlertExcerpts,
  ClickHouseConditionReader,
  NO_SMTP,
  NotificationDispatcher,
  NotificationRouter,
  RuleScheduler,
  SmtpDelivery,
  webhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '@telemetryflow/alerting';
import { startReceiver, type Receiver } from './receivers.js';
import { call, insertLogs, startAlertingStores, type AlertingStores, type Json } from './stores.js';

const S = 1000;
const M = 60 * S;
const HOUR = 60 * M;
/** The start of an hour two hours ago: the fake clock's zero (telemetry is written at fake times). */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const SECRET = 'a-very-secret-signing-key';

let s: AlertingStores;
let history: AlertHistory;
let clock = T0;
const now = () => clock;
const closing: { close(): Promise<void> }[] = [];
let mail: { port: number; delivered: ParsedMail[]; close(): Promise<void> };
let smtp: SmtpDelivery;
let dispatcher: NotificationDispatcher;
let routerRuns = 0;

/** A router of one of two replicas, taking turns: the state must live in Postgres, not in one process. */
function router(replicaId = `router-${routerRuns++ % 2}`): NotificationRouter {
  return new NotificationRouter({
    dataSource: s.cp.dataSource,
    history,
    replicaId,
    now,
    consoleUrl: 'https://tf.test',
    excerpts: new ClickHouseAlertExcerpts(s.reads.reader),
  });
}

/** Moves the fake clock to T0 + `atMs` and runs evaluation, routing and delivery once. */
async function step(atMs: number): Promise<void> {
  await evaluate(atMs);
  await s.cp.dataSource.query('UPDATE notification_policies SET due_at = now()');
  await router().tick();
  while ((await dispatcher.tick()) > 0);
}

/** Moves the fake clock to T0 + `atMs` and evaluates every rule. */
async function evaluate(atMs: number): Promise<void> {
  clock = T0 + atMs;
  const ds = s.cp.dataSource;
  await ds.query('UPDATE alert_rule_leases SET due_at = now()');
  await new RuleScheduler({
    dataSource: ds,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history,
    replicaId: 'evaluator',
    now,
    excerpts: new ClickHouseAlertExcerpts(s.reads.reader),
  }).tick();
}

/** Seconds until the tenant's next routing round (the database's clock). */
async function nextRoundIn(t: Tenant): Promise<number> {
  const [row] = await s.cp.dataSource.query(
    'SELECT extract(epoch FROM due_at - now())::float8 AS s FROM notification_policies WHERE tenant_id = $1',
    [t.id],
  );
  return Number(row.s);
}

interface Tenant {
  id: string;
  key: string;
  readKey: string;
}

async function tenant(id: string): Promise<Tenant> {
  await createTenant(s.cp.dataSource, { id, name: id });
  const key = (await createApiKey(s.cp.dataSource, { tenantId: id, name: 'admin', scopes: ['admin'] })).key;
  const readKey = (await createApiKey(s.cp.dataSource, { tenantId: id, name: 'reader', scopes: ['read'] })).key;
  return { id, key, readKey };
}

async function webhook(t: Tenant, name: string): Promise<Receiver> {
  const r = await startReceiver(() => ({ status: 200 }));
  closing.push(r);
  const res = await call(s.api.url, '/api/v1/notification-channels', {
    key: t.key,
    method: 'POST',
    body: { type: 'webhook', name, url: `${r.url}/hook`, secret: SECRET },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return r;
}

/** A rule that fires while `service` sends no logs (resolved by `sendLogs`). */
async function absenceRule(t: Tenant, service: string, labels: Record<string, string> = {}): Promise<string> {
  const res = await call(s.api.url, '/api/v1/alert-rules', {
    key: t.key,
    method: 'POST',
    body: {
      name: `${service} silent`,
      for: '0s',
      labels,
      annotations: { summary: '{{ $labels.service }} sent no logs' },
      condition: { kind: 'absence', signal: 'logs', service, window: '1d' },
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data.id as string;
}

async function sendLogs(t: Tenant, service: string): Promise<void> {
  await insertLogs(s.ch, { tenant: t.id, service, atMs: clock - S, severity: 'INFO', bodies: ['back'] });
}

async function putPolicy(t: Tenant, policy: Json): Promise<void> {
  const res = await call(s.api.url, '/api/v1/notification-policy', { key: t.key, method: 'PUT', body: policy });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** The Alertmanager webhook bodies a receiver got since the last call. */
function take(r: Receiver): Json[] {
  const bodies = r.received.map((x) => {
    const body = JSON.parse(x.body) as Json;
    assert.equal(
      x.headers[SIGNATURE_HEADER],
      webhookSignature(SECRET, Number(x.headers[TIMESTAMP_HEADER]), x.body),
      'signed as every webhook',
    );
    return body;
  });
  r.received.length = 0;
  return bodies;
}

const services = (body: Json) => (body.alerts as Json[]).map((a) => `${a.labels.service}:${a.status}`).sort();

before(async () => {
  s = await startAlertingStores('tf-alert-routing-');
  history = new AlertHistory(s.ch, s.reads);
  const made = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
  const delivered: ParsedMail[] = [];
  const server = new SMTPServer({
    key: made.private,
    cert: made.cert,
    authOptional: true,
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        delivered.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mail = {
    port: (server.server.address() as AddressInfo).port,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  smtp = new SmtpDelivery({
    host: 'localhost',
    port: mail.port,
    from: 'TelemetryFlow <alerts@tf.test>',
    ca: [made.cert],
  });
  dispatcher = new NotificationDispatcher({
    dataSource: s.cp.dataSource,
    delivery: s.delivery,
    smtp,
    history,
    roundDelayMs: 0,
  });
});
after(async () => {
  smtp.close();
  await mail.close();
  for (const c of closing) await c.close();
  await s.close();
});

describe('notification policy API', () => {
  it('has no policy by default, takes a valid one from an admin and refuses invalid ones with the reason', async () => {
    const t = await tenant('policy-api');
    await webhook(t, 'team-hook');
    const get = await call(s.api.url, '/api/v1/notification-policy', { key: t.readKey });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body.data, { policy: null, updatedAt: null, updatedBy: null });
    const put = (body: Json, key = t.key) =>
      call(s.api.url, '/api/v1/notification-policy', { key, method: 'PUT', body });
    const valid = {
      route: {
        receiver: 'team-hook',
        groupBy: ['alertname'],
        routes: [{ matchers: [{ label: 'service', op: '=~', value: 'pay.*' }], muteTimeIntervals: ['nights'] }],
      },
      timeIntervals: [{ name: 'nights', timeIntervals: [{ times: [{ startTime: '00:00', endTime: '06:00' }] }] }],
    };
    assert.equal((await put(valid, t.readKey)).status, 403, 'a read key cannot change routing');
    for (const [body, message] of [
      [{ route: { groupBy: ['x'] } }, 'route.receiver: root route must specify a default receiver'],
      [
        { route: { receiver: 'team-hook', matchers: [{ label: 'a', value: 'b' }] } },
        'route.matchers: root route must not have any matchers',
      ],
      [
        { route: { receiver: 'team-hook', routes: [{ matchers: [{ label: 'service', op: '=~', value: '(' }] }] } },
        /^route\.routes\.0\.matchers\.0\.value: not a valid RE2 regular expression/,
      ],
      [
        { route: { receiver: 'team-hook', routes: [{ muteTimeIntervals: ['weekends'] }] } },
        'route.routes.0: undefined time interval "weekends" used in route',
      ],
      [{ route: { receiver: 'team-hook', groupWait: 'soon' } }, /^route\.groupWait: a duration/],
      [
        { route: { receiver: 'team-hook', routes: [{ receiver: 'nobody' }] } },
        'route.routes.0.receiver: "nobody" is not a notification channel of this tenant (name or id)',
      ],
      [
        {
          route: { receiver: 'team-hook' },
          timeIntervals: [{ name: 'x', timeIntervals: [{ times: [{ startTime: '17:00', endTime: '09:00' }] }] }],
        },
        /start time cannot be equal or greater than end time/,
      ],
    ] as const) {
      const res = await put(body as Json);
      assert.equal(res.status, 400, JSON.stringify(body));
      if (typeof message === 'string') assert.equal(res.body.error.message, message);
      else assert.match(res.body.error.message, message);
    }
    let deep: Json = { receiver: 'team-hook' };
    for (let i = 0; i < 2000; i++) deep = { routes: [deep] };
    const tooDeep = await put({ route: { ...deep, receiver: 'team-hook' } });
    assert.equal(tooDeep.status, 400);
    assert.match(tooDeep.body.error.message, /^route(\.routes\.0){17}: routes nest at most 16 levels deep$/);
    assert.equal((await put(valid)).status, 200);
    const [channel] = (await call(s.api.url, '/api/v1/notification-channels', { key: t.key })).body.data as Json[];
    const inUse = await call(s.api.url, `/api/v1/notification-channels/${channel!.id}`, {
      key: t.key,
      method: 'DELETE',
    });
    assert.equal(inUse.status, 409);
    assert.equal(
      inUse.body.error.message,
      'the notification policy routes to this channel (route); change the policy before you delete it',
    );
    const renamed = await call(s.api.url, `/api/v1/notification-channels/${channel!.id}`, {
      key: t.key,
      method: 'PUT',
      body: { type: 'webhook', name: 'renamed-hook', url: 'https://hooks.example.com/x', secret: SECRET },
    });
    assert.equal(renamed.status, 409);
    const stored = (await call(s.api.url, '/api/v1/notification-policy', { key: t.readKey })).body.data;
    assert.equal(stored.policy.route.routes[0].matchers[0].op, '=~');
    assert.match(stored.updatedBy, /^key:/);
    assert.deepEqual(
      (await call(s.api.url, '/api/v1/notification-policy', { key: s.betaKey })).body.data.policy,
      null,
      'another tenant has its own',
    );
    const doc = (await call(s.api.url, '/api/v1/openapi.json')).body;
    const documented = doc.paths['/api/v1/notification-policy'];
    assert.ok(documented.get && documented.put?.requestBody && documented.delete, 'documented in OpenAPI');
    const removed = await call(s.api.url, '/api/v1/notification-policy', { key: t.key, method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.equal((await call(s.api.url, '/api/v1/notification-policy', { key: t.key })).body.data.policy, null);
  });
});

describe('notification routing', () => {
  it('one notification per group after group_wait; new alerts at the next group_interval; resolved ones told; repeat_interval', async () => {
    clock = T0;
    const t = await tenant('grouping');
    const hook = await webhook(t, 'payments-hook');
    await putPolicy(t, {
      route: {
        receiver: 'payments-hook',
        groupBy: ['team'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '1h',
      },
    });
    await absenceRule(t, 'pay-api', { team: 'payments' });
    await absenceRule(t, 'pay-db', { team: 'payments' });
    await step(0);
    const due = await nextRoundIn(t);
    assert.ok(due > 5 && due <= 10, `next round after the 10 s resync bound, not every poll: ${due}`);
    await step(10 * S);
    assert.deepEqual(take(hook), [], '"How long to wait before sending the first notification for a new group"');
    await step(30 * S);
    const [first, ...more] = take(hook);
    assert.equal(more.length, 0, 'one notification for the group');
    assert.deepEqual(
      [first!.version, first!.status, first!.receiver, first!.notification_reason, first!.groupKey],
      ['4', 'firing', 'payments-hook', 'first notification', '{}:{team="payments"}'],
    );
    assert.deepEqual(first!.groupLabels, { team: 'payments' });
    assert.deepEqual(services(first!), ['pay-api:firing', 'pay-db:firing']);
    assert.equal((first!.alerts as Json[])[0].annotations.summary, 'pay-api sent no logs');
    assert.equal(first!.externalURL, 'https://tf.test');

    await absenceRule(t, 'pay-web', { team: 'payments' });
    await evaluate(60 * S);
    assert.ok((await nextRoundIn(t)) <= 0, 'a new firing alert makes the tenant due at once');
    await step(60 * S);
    await step(329 * S);
    assert.deepEqual(take(hook), [], 'a new alert waits for the group_interval');
    await step(330 * S);
    const [added] = take(hook);
    assert.equal(added!.notification_reason, 'new alerts added');
    assert.deepEqual(services(added!), ['pay-api:firing', 'pay-db:firing', 'pay-web:firing']);

    await sendLogs(t, 'pay-api');
    await step(400 * S);
    assert.deepEqual(take(hook), []);
    await step(630 * S);
    const [someResolved] = take(hook);
    assert.equal(someResolved!.notification_reason, 'some alerts resolved');
    assert.deepEqual(services(someResolved!), ['pay-api:resolved', 'pay-db:firing', 'pay-web:firing']);
    const resolvedAlert = (someResolved!.alerts as Json[]).find((a) => a.status === 'resolved');
    assert.equal(resolvedAlert.endsAt, new Date(T0 + 400 * S).toISOString().replace('.000Z', 'Z'));

    // Nothing changes: the same state is told again once repeat_interval (1 h) has passed since 630 s.
    const repeats: number[] = [];
    for (let at = 930; at <= 630 + 3600; at += 300) {
      await step(at * S);
      if (take(hook).length > 0) repeats.push(at);
    }
    assert.deepEqual(repeats, [4230]);

    // Both remaining alerts resolve: "all alerts resolved" at the next group_interval, then the group is gone.
    await sendLogs(t, 'pay-db');
    await sendLogs(t, 'pay-web');
    await step(4300 * S);
    await step(4530 * S);
    const [allResolved] = take(hook);
    assert.deepEqual(
      [allResolved!.status, allResolved!.notification_reason, services(allResolved!)],
      ['resolved', 'all alerts resolved', ['pay-db:resolved', 'pay-web:resolved']],
    );
    const state = await s.cp.dataSource.query('SELECT state FROM notification_policies WHERE tenant_id = $1', [t.id]);
    assert.deepEqual(state[0].state.groups, []);

    const records = (await call(s.api.url, '/api/v1/alerts/history?event=notification&limit=1000', { key: t.readKey }))
      .body.data as Json[];
    assert.ok(
      records.some((r) => r.outcome === 'sent' && r.labels.service === 'pay-web'),
      'deliveries are recorded per alert',
    );
  });

  it('routes by matchers with continue, and two replicas routing at once send each group once', async () => {
    clock = T0;
    const t = await tenant('routing-tree');
    const [fallback, payments, pager] = [
      await webhook(t, 'fallback'),
      await webhook(t, 'payments'),
      await webhook(t, 'pager'),
    ];
    await putPolicy(t, {
      route: {
        receiver: 'fallback',
        groupBy: ['...'],
        groupWait: '0s',
        routes: [
          { receiver: 'payments', matchers: [{ label: 'service', op: '=~', value: 'pay-.*' }], continue: true },
          { receiver: 'pager', matchers: [{ label: 'severity', op: '=', value: 'critical' }] },
          { receiver: 'fallback', matchers: [{ label: 'service', op: '!~', value: 'pay-.*' }] },
        ],
      },
    });
    await absenceRule(t, 'pay-api', { severity: 'critical' });
    await absenceRule(t, 'search');
    await step(0);
    // Evaluated already; route the same instant from two replicas at once.
    await s.cp.dataSource.query('UPDATE notification_policies SET due_at = now()');
    await Promise.all([router('replica-a').tick(), router('replica-b').tick()]);
    while ((await dispatcher.tick()) > 0);
    assert.deepEqual(take(payments).map(services), [['pay-api:firing']]);
    assert.deepEqual(take(pager).map(services), [['pay-api:firing']], 'continue: also the next matching route');
    assert.deepEqual(take(fallback).map(services), [['search:firing']]);
    await step(30 * S);
    assert.equal(take(payments).length + take(pager).length + take(fallback).length, 0, 'sent once');
  });

  it('a mute time interval holds notifications until it ends; a regex silence mutes matching alerts', async () => {
    clock = T0;
    const t = await tenant('muting');
    const hook = await webhook(t, 'hook');
    const hh = String(new Date(T0).getUTCHours()).padStart(2, '0');
    const next = String(new Date(T0).getUTCHours() + 1).padStart(2, '0');
    await putPolicy(t, {
      route: {
        receiver: 'hook',
        groupBy: ['service'],
        groupWait: '30s',
        groupInterval: '5m',
        routes: [{ matchers: [{ label: 'service', op: '=', value: 'batch' }], muteTimeIntervals: ['this-hour'] }],
      },
      timeIntervals: [
        { name: 'this-hour', timeIntervals: [{ times: [{ startTime: `${hh}:00`, endTime: `${next}:00` }] }] },
      ],
    });
    const badSilence = await call(s.api.url, '/api/v1/silences', {
      key: t.key,
      method: 'POST',
      body: {
        matchers: [{ label: 'service', op: '=~', value: 'pay-(' }],
        startsAt: new Date(T0 - HOUR).toISOString(),
        endsAt: new Date(T0 + HOUR).toISOString(),
      },
    });
    assert.equal(badSilence.status, 400);
    assert.match(badSilence.body.error.message, /^matchers\.0\.value: not a valid RE2 regular expression/);
    const silence = await call(s.api.url, '/api/v1/silences', {
      key: t.key,
      method: 'POST',
      body: {
        matchers: [{ label: 'service', op: '=~', value: 'pay-.*' }],
        startsAt: new Date(T0 - HOUR).toISOString(),
        endsAt: new Date(T0 + 10 * M).toISOString(),
        comment: 'payments deploy',
      },
    });
    assert.equal(silence.status, 201, JSON.stringify(silence.body));
    assert.equal(silence.body.data.matchers[0].op, '=~');
    await absenceRule(t, 'batch');
    await absenceRule(t, 'pay-api');
    await absenceRule(t, 'search');
    await step(0);
    await step(30 * S);
    assert.deepEqual(take(hook).map(services), [['search:firing']], 'batch is muted this hour, pay-api silenced');
    await step(30 * M + 30 * S);
    assert.deepEqual(
      take(hook).map(services),
      [['pay-api:firing']],
      "once the silence (to 10 min) ended, pay-api is told at its group's next flush",
    );
    await step(HOUR + 30 * S);
    const told = take(hook);
    assert.deepEqual(told.map(services), [['batch:firing']], 'the mute ended with the hour');
    assert.equal(told[0]!.notification_reason, 'first notification');
  });

  it('e-mail: the group arrives at the SMTP server with labels, annotations, values and excerpts of log and span rules', async () => {
    clock = T0;
    const t = await tenant('mailing');
    const channel = await call(s.api.url, '/api/v1/notification-channels', {
      key: t.key,
      method: 'POST',
      body: { type: 'email', name: 'ops-mail', to: ['oncall@example.test'] },
    });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    assert.equal(channel.body.data.target, 'mailto:oncall@example.test');
    const test = await call(s.api.url, `/api/v1/notification-channels/${channel.body.data.id}/test`, {
      key: t.key,
      method: 'POST',
    });
    assert.deepEqual(
      test.body.data,
      { delivered: false, status: null, attempts: 0, error: NO_SMTP },
      'this API was started without an SMTP relay, and says so',
    );
    await putPolicy(t, { route: { receiver: 'ops-mail', groupBy: ['team'], groupWait: '30s' } });
    await absenceRule(t, 'pay-api', { team: 'payments' });
    await insertLogs(s.ch, {
      tenant: t.id,
      service: 'pay-db',
      atMs: T0 - 10 * S,
      severity: 'ERROR',
      bodies: ['card declined: insufficient funds', 'card declined: expired card', 'payment accepted'],
    });
    await insertRows(
      s.ch,
      'spans',
      ['upstream timeout', 'upstream timeout', 'upstream timeout', 'bad gateway', '', '', ''].map((message, i) => ({
        TenantId: t.id,
        TraceIdHex: randomBytes(16).toString('hex'),
        SpanIdHex: randomBytes(8).toString('hex'),
        ServiceName: 'pay-web',
        Name: 'POST /pay',
        Kind: 'SPAN_KIND_SERVER',
        ParentSpanIdHex: '',
        StartTimeNs: (BigInt(T0 - 20 * S + i) * 1_000_000n).toString(),
        EndTimeNs: (BigInt(T0 - 20 * S + i + 5) * 1_000_000n).toString(),
        DurationNs: (5n * 1_000_000n).toString(),
        StatusCode: i < 4 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
        StatusMessage: message,
      })),
    );
    for (const body of [
      {
        name: 'declined payments',
        labels: { team: 'payments' },
        annotations: { summary: '{{ $value }} declined payments' },
        condition: {
          kind: 'log_count',
          service: 'pay-db',
          search: 'declined',
          window: '5m',
          threshold: { op: 'above', value: 1 },
        },
      },
      {
        name: 'pay-web errors',
        labels: { team: 'payments' },
        condition: {
          kind: 'span',
          measure: 'error_rate',
          service: 'pay-web',
          window: '5m',
          threshold: { op: 'above', value: 0.1 },
        },
      },
    ]) {
      const res = await call(s.api.url, '/api/v1/alert-rules', {
        key: t.key,
        method: 'POST',
        body: { for: '0s', ...body },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    await step(0);
    await step(30 * S);
    assert.equal(mail.delivered.length, 1);
    const [m] = mail.delivered;
    assert.equal(m!.subject, '[FIRING:3] payments (warning)');
    const text = m!.text ?? '';
    for (const line of [
      '3 alert(s) firing:',
      ' - alertname = pay-api silent',
      ' - summary = pay-api sent no logs',
      ' - alertname = declined payments',
      ' - summary = 2 declined payments',
      'Value: 2',
      'Value: 0.5714',
      '   3× upstream timeout',
      '   1× bad gateway',
      'View in TelemetryFlow: https://tf.test',
    ])
      assert.ok(text.split('\n').includes(line), `text has ${JSON.stringify(line)}:\n${text}`);
    assert.match(
      text,
      /^Excerpt:\n {3}.+ ERROR card declined: expired card\n {3}.+ ERROR card declined: insufficient funds$/m,
    );
    assert.ok(!text.includes('payment accepted'), 'only matching lines');
    assert.ok(String(m!.html).includes('<pre>3× upstream timeout\n1× bad gateway</pre>'));
  });

  it('without a policy each rule notifies its own channels as before, its message with the excerpt too', async () => {
    clock = T0;
    const t = await tenant('no-policy');
    const hook = await webhook(t, 'own-hook');
    const channelId = (await call(s.api.url, '/api/v1/notification-channels', { key: t.key })).body.data[0].id;
    await insertLogs(s.ch, {
      tenant: t.id,
      service: 'worker',
      atMs: T0 - 10 * S,
      severity: 'ERROR',
      bodies: ['job 17 failed: disk full'],
    });
    const res = await call(s.api.url, '/api/v1/alert-rules', {
      key: t.key,
      method: 'POST',
      body: {
        name: 'worker errors',
        for: '0s',
        groupWait: '0s',
        channels: [channelId],
        condition: { kind: 'log_count', service: 'worker', window: '5m', threshold: { op: 'above', value: 0 } },
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await step(0);
    const [body, ...more] = take(hook);
    assert.equal(more.length, 0);
    assert.deepEqual([body!.version, body!.kind, body!.ruleName], ['1', 'firing', 'worker errors']);
    assert.equal(body!.excerpt.length, 1);
    assert.match(body!.excerpt[0], / ERROR job 17 failed: disk full$/);
  });

  it('Teams and Opsgenie: a card and an Opsgenie alert per group; the alert closed by its alias when the group resolves', async () => {
    clock = T0;
    const t = await tenant('teams-opsgenie');
    const teams = await startReceiver(() => ({ status: 200, body: '1' }));
    const og = await startReceiver(() => ({ status: 202, body: '{"result":"Request will be processed"}' }));
    closing.push(teams, og);
    for (const body of [
      { type: 'msteams', name: 'teams', url: `${teams.url}/webhookb2/x` },
      { type: 'opsgenie', name: 'og', apiKey: 'genie-key', apiUrl: og.url },
    ]) {
      const res = await call(s.api.url, '/api/v1/notification-channels', { key: t.key, method: 'POST', body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const team = [{ label: 'team', op: '=', value: 'payments' }];
    await putPolicy(t, {
      route: {
        receiver: 'teams',
        groupBy: ['team'],
        groupWait: '0s',
        groupInterval: '1m',
        routes: [
          { receiver: 'og', matchers: team, continue: true },
          { receiver: 'teams', matchers: team },
        ],
      },
    });
    await absenceRule(t, 'pay-api', { team: 'payments', priority: 'P2' });
    await step(0);
    assert.equal(teams.received.length, 1);
    const card = (JSON.parse(teams.received[0]!.body) as Json).attachments[0];
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(card.content.body[0].text, /^\[FIRING:1\] payments/);
    assert.equal(card.content.actions[0].url, 'https://tf.test');
    assert.equal(og.received.length, 1);
    const create = og.received[0]!;
    assert.deepEqual([create.path, create.headers.authorization], ['/v2/alerts', 'GenieKey genie-key']);
    const alert = JSON.parse(create.body) as Json;
    assert.match(alert.alias, /^[0-9a-f]{64}$/);
    assert.equal(alert.priority, 'P2', 'the priority label');
    assert.match(alert.description, /pay-api sent no logs/);

    await sendLogs(t, 'pay-api');
    for (let at = 30; at <= 120 && og.received.length < 2; at += 30) await step(at * S);
    assert.equal(og.received.length, 2, 'the resolve');
    assert.equal(og.received[1]!.path, `/v2/alerts/${alert.alias}/close?identifierType=alias`);
    assert.equal(teams.received.length, 2);
    assert.match(
      (JSON.parse(teams.received[1]!.body) as Json).attachments[0].content.body[0].text,
      /^\[RESOLVED\] payments/,
    );
  });
});
