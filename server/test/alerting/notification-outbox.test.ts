// The notification outbox when receivers fail: retried across rounds, given up after the
// limit, and taken over from a replica whose claim ran out — real Postgres, real HTTP receivers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddressGuard,
  AlertHistory,
  ClickHouseConditionReader,
  HttpDelivery,
  NotificationDispatcher,
  parseCidrs,
  RuleScheduler,
  type DispatcherConfig,
} from '@telemetryflow/alerting';
import { startReceiver, type Receiver } from './receivers.js';
import { call, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
let history: AlertHistory;
const closing: { close(): Promise<void> }[] = [];

/** One HTTP attempt per delivery round, so a round is one request the receiver sees. */
function oneAttemptDelivery(over: { requestTimeoutMs?: number; maxDelayMs?: number } = {}): HttpDelivery {
  const d = new HttpDelivery({ guard: new AddressGuard(parseCidrs('127.0.0.0/8')), maxAttempts: 1, ...over });
  closing.push(d);
  return d;
}

function dispatcher(delivery: HttpDelivery, over: Partial<DispatcherConfig> = {}): NotificationDispatcher {
  return new NotificationDispatcher({
    dataSource: s.cp.dataSource,
    delivery,
    history,
    roundDelayMs: 0,
    maxRounds: 3,
    ...over,
  });
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver(() => ({ status: 200 }));
  closing.push(r);
  return r;
}

/** A firing alert whose notification waits in the outbox for a webhook at `url`. */
async function queuedNotification(name: string, url: string): Promise<{ ruleId: string; channelId: string }> {
  const channel = await call(s.api.url, '/api/v1/notification-channels', {
    key: s.key,
    method: 'POST',
    body: { type: 'webhook', name, url, secret: 'a-very-secret-signing-key' },
  });
  assert.equal(channel.status, 201, JSON.stringify(channel.body));
  const rule = await call(s.api.url, '/api/v1/alert-rules', {
    key: s.key,
    method: 'POST',
    body: {
      name,
      for: '0s',
      groupWait: '0s',
      channels: [channel.body.data.id],
      condition: { kind: 'absence', signal: 'logs', service: name, window: '5m' },
    },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const evaluated = new RuleScheduler({
    dataSource: s.cp.dataSource,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history,
    replicaId: 'evaluator',
  });
  await evaluated.tick();
  assert.deepEqual(await outbox(rule.body.data.id), [{ status: 'pending', attempts: 0 }]);
  return { ruleId: rule.body.data.id, channelId: channel.body.data.id };
}

async function outbox(ruleId: string): Promise<{ status: string; attempts: number }[]> {
  return s.cp.dataSource.query('SELECT status, attempts FROM alert_notifications WHERE rule_id = $1 ORDER BY id', [
    ruleId,
  ]);
}

/** The notification records of a rule as the API shows them, oldest first. */
async function records(ruleId: string): Promise<Json[]> {
  const res = await call(s.api.url, `/api/v1/alerts/history?ruleId=${ruleId}&event=notification`, { key: s.readKey });
  assert.equal(res.status, 200);
  return (res.body.data as Json[]).reverse();
}

/** Polls the database until `sql` returns a row, or fails after `timeoutMs`. */
async function untilRow(sql: string, params: unknown[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await s.cp.dataSource.query(sql, params)).length === 0) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${sql}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  s = await startAlertingStores('tf-alert-outbox-');
  history = new AlertHistory(s.ch, s.reads);
});
after(async () => {
  for (const c of closing) await c.close();
  await s.close();
});

describe('notification outbox', () => {
  it('retries across rounds: 503 with Retry-After, then 500, then 200 is delivered once, each round recorded', async () => {
    const hook = await receiver();
    hook.script.push({ status: 503, headers: { 'retry-after': '1' } }, { status: 500 });
    const { ruleId } = await queuedNotification('flaky receiver', `${hook.url}/hook`);
    // A Retry-After longer than the in-round wait ends the round: the row waits that long.
    const d = dispatcher(oneAttemptDelivery({ maxDelayMs: 100 }));
    assert.equal(await d.tick(), 1);
    assert.deepEqual(await outbox(ruleId), [{ status: 'pending', attempts: 1 }]);
    assert.equal(await d.tick(), 0, 'not before Retry-After');
    await untilRow(`SELECT 1 FROM alert_notifications WHERE rule_id = $1 AND next_attempt_at <= now()`, [ruleId]);
    assert.equal(await d.tick(), 1);
    assert.deepEqual(await outbox(ruleId), [{ status: 'pending', attempts: 2 }]);
    assert.equal(await d.tick(), 1);
    assert.deepEqual(await outbox(ruleId), [{ status: 'sent', attempts: 3 }]);
    assert.equal(await d.tick(), 0, 'sent once');
    assert.equal(hook.received.length, 3);
    assert.equal(
      new Set(hook.received.map((r) => JSON.parse(r.body).fingerprint)).size,
      1,
      'the same notification each time',
    );
    assert.deepEqual(
      (await records(ruleId)).map((r) => [r.outcome, r.message]),
      [
        ['queued', ''],
        [
          'retrying',
          'delivery failed: the receiver answered HTTP 503; round 1 of 3 (1 attempt(s)), trying again later',
        ],
        [
          'retrying',
          'delivery failed: the receiver answered HTTP 500; round 2 of 3 (1 attempt(s)), trying again later',
        ],
        ['sent', 'delivered: HTTP 200 in round 3 of 3 (1 attempt(s))'],
      ],
    );
  });

  it('gives up after the last round: marked failed, never tried again, shown as failed through the API', async () => {
    const hook = await startReceiver(() => ({ status: 500 }));
    closing.push(hook);
    const { ruleId, channelId } = await queuedNotification('broken receiver', `${hook.url}/hook`);
    const twoAttempts = new HttpDelivery({
      guard: new AddressGuard(parseCidrs('127.0.0.0/8')),
      maxAttempts: 2,
      baseDelayMs: 1,
    });
    closing.push(twoAttempts);
    const d = dispatcher(twoAttempts);
    for (let round = 1; round <= 3; round++) assert.equal(await d.tick(), 1, `round ${round}`);
    assert.deepEqual(await outbox(ruleId), [{ status: 'failed', attempts: 3 }]);
    assert.equal(hook.received.length, 6, '3 rounds of 2 attempts');
    // Even when it would be due, a failed notification is not claimed again.
    await s.cp.dataSource.query(
      "UPDATE alert_notifications SET next_attempt_at = now() - interval '1 hour' WHERE rule_id = $1",
      [ruleId],
    );
    assert.equal(await d.tick(), 0);
    assert.equal(hook.received.length, 6);
    const shown = await records(ruleId);
    assert.deepEqual(
      shown.map((r) => r.outcome),
      ['queued', 'retrying', 'retrying', 'failed'],
    );
    assert.equal(shown[3].message, 'delivery failed: the receiver answered HTTP 500; given up after 3 round(s)');
    const channel = (await call(s.api.url, `/api/v1/notification-channels/${channelId}`, { key: s.readKey })).body.data;
    assert.equal(channel.failing, true, 'a channel that lost a notification is failing');
    assert.equal(channel.lastError, 'delivery failed: the receiver answered HTTP 500');
  });

  it('a claim that runs out is taken over by another replica, which delivers once; the stalled replica changes nothing after', async () => {
    const hook = await receiver();
    let release!: () => void;
    // Replica A's request stalls in the receiver; it gets a 500 once released.
    hook.script.push({ status: 500, after: new Promise<void>((r) => (release = r)) });
    const { ruleId } = await queuedNotification('stalled replica', `${hook.url}/hook`);
    const replicaA = dispatcher(oneAttemptDelivery({ requestTimeoutMs: 30_000 }), { claimMs: 300 });
    const stalled = replicaA.tick();
    await untilRow(
      `SELECT 1 FROM alert_notifications WHERE rule_id = $1 AND status = 'sending' AND claim_until < now()`,
      [ruleId],
    );
    assert.equal(hook.received.length, 1, 'A reached the receiver and stalls there');

    const replicaB = dispatcher(oneAttemptDelivery());
    assert.equal(await replicaB.tick(), 1, 'B takes the expired claim');
    assert.deepEqual(await outbox(ruleId), [{ status: 'sent', attempts: 2 }]);
    release();
    assert.equal(await stalled, 1);
    assert.deepEqual(await outbox(ruleId), [{ status: 'sent', attempts: 2 }], "A's late failure does not reopen it");
    assert.equal(await replicaB.tick(), 0);
    assert.equal(await dispatcher(oneAttemptDelivery()).tick(), 0, 'nobody sends it again');
    assert.equal(hook.received.length, 2);
    assert.deepEqual(
      (await records(ruleId)).map((r) => r.outcome),
      ['queued', 'sent'],
      'one delivery recorded',
    );
  });
});
