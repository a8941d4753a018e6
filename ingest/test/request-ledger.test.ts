import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busMessageId } from '@telemetryflow/otlp';
import {
  KEPT_MESSAGE_CHARS,
  RequestLedger,
  requestIdentity,
  StorageUnavailableError,
  type Admission,
  type Attempt,
} from '../src/index.js';

const OUTCOME = { accepted: 5, rejected: 1, errorMessage: 'rejected 1 item(s): span: end before start' };

class FakeClock {
  ms = 1_000_000;
  readonly now = () => this.ms;
}

function attemptOf(a: Admission): Attempt {
  assert.ok('attempt' in a, `expected an attempt, got ${JSON.stringify(a)}`);
  return a.attempt;
}

test("the identity is the collector's Nats-Msg-Id of tenant, signal and bytes, and the encoding", () => {
  const payload = Buffer.from('request bytes');
  const id = requestIdentity({ tenantId: 't1', signal: 'traces', encoding: 'protobuf', payload });
  assert.equal(id, `protobuf:${busMessageId('traces', 't1', payload)}`);
  assert.equal(
    requestIdentity({ tenantId: 't1', signal: 'traces', encoding: 'protobuf', payload: Buffer.from('request bytes') }),
    id,
  );
  for (const other of [
    { tenantId: 't2', signal: 'traces', encoding: 'protobuf', payload },
    { tenantId: 't1', signal: 'logs', encoding: 'protobuf', payload },
    { tenantId: 't1', signal: 'traces', encoding: 'json', payload },
    { tenantId: 't1', signal: 'traces', encoding: 'protobuf', payload: Buffer.from('request bytez') },
  ] as const) {
    assert.notEqual(requestIdentity(other), id, JSON.stringify(other));
  }
});

test('a stored request is answered with its outcome; a failed one remembers the tables that landed', async () => {
  const ledger = new RequestLedger({ windowMs: 60_000, maxRequests: 10, waitMs: 1000 }, new FakeClock().now);
  const first = attemptOf(await ledger.admit('a'));
  assert.deepEqual([...first.landed], []);
  first.landed.add('metric_series');
  first.landed.add('metrics_gauge');
  first.failed();

  const second = attemptOf(await ledger.admit('a'));
  assert.deepEqual([...second.landed].sort(), ['metric_series', 'metrics_gauge']);
  second.landed.add('metrics_histogram');
  second.stored(OUTCOME);
  assert.deepEqual(await ledger.admit('a'), { done: OUTCOME });

  // A failure before anything landed leaves nothing to remember.
  attemptOf(await ledger.admit('b')).failed();
  assert.equal(ledger.size, 1);
  assert.deepEqual([...attemptOf(await ledger.admit('b')).landed], []);
});

test('a request is forgotten once the window after its last attempt has passed', async () => {
  const clock = new FakeClock();
  const ledger = new RequestLedger({ windowMs: 600_000, maxRequests: 10, waitMs: 1000 }, clock.now);
  attemptOf(await ledger.admit('old')).stored(OUTCOME);
  clock.ms += 300_000;
  const partly = attemptOf(await ledger.admit('partly'));
  partly.landed.add('spans');
  partly.failed();
  clock.ms += 299_999;
  assert.deepEqual(await ledger.admit('old'), { done: OUTCOME }, 'within the window');
  clock.ms += 1;
  assert.deepEqual([...attemptOf(await ledger.admit('old')).landed], [], 'past the window: a retry is a new request');
  assert.equal(ledger.size, 1, 'expired entries are dropped, not only ignored');
  // Its window runs from its own attempt.
  clock.ms += 299_999;
  assert.deepEqual([...attemptOf(await ledger.admit('partly')).landed], ['spans']);
});

test('at most maxRequests are remembered: the oldest is forgotten first', async () => {
  const ledger = new RequestLedger({ windowMs: 600_000, maxRequests: 3, waitMs: 1000 }, new FakeClock().now);
  for (const id of ['r1', 'r2', 'r3', 'r4', 'r5'])
    attemptOf(await ledger.admit(id)).stored({ ...OUTCOME, accepted: Number(id.slice(1)) });
  assert.equal(ledger.size, 3);
  assert.ok('attempt' in (await ledger.admit('r1')));
  assert.ok('attempt' in (await ledger.admit('r2')));
  for (const id of ['r3', 'r4', 'r5'])
    assert.deepEqual(await ledger.admit(id), { done: { ...OUTCOME, accepted: Number(id.slice(1)) } });
});

test('an entry keeps a bounded partial_success message', async () => {
  const ledger = new RequestLedger({ windowMs: 600_000, maxRequests: 3, waitMs: 1000 }, new FakeClock().now);
  attemptOf(await ledger.admit('long')).stored({
    accepted: 1,
    rejected: 5,
    errorMessage: `rejected 5 item(s): ${'metric "x": no data; '.repeat(100)}`,
  });
  const done = await ledger.admit('long');
  assert.ok('done' in done);
  assert.equal(done.done.errorMessage.length, KEPT_MESSAGE_CHARS);
  assert.match(done.done.errorMessage, /^rejected 5 item\(s\): metric "x": no data; .*\.\.\.$/);
  assert.equal(done.done.rejected, 5);
});

test('an identical request under way is waited for: its outcome, or its landed tables to go on from', async () => {
  const ledger = new RequestLedger({ windowMs: 600_000, maxRequests: 10, waitMs: 5000 }, new FakeClock().now);
  const first = attemptOf(await ledger.admit('x'));
  const waiting = ledger.admit('x');
  first.stored(OUTCOME);
  assert.deepEqual(await waiting, { done: OUTCOME });

  const again = attemptOf(await ledger.admit('y'));
  const second = ledger.admit('y');
  const third = ledger.admit('y');
  again.landed.add('metric_series');
  again.failed();
  // One of the waiters goes on with the tables that did not land; the other waits for it.
  const next = attemptOf(await second);
  assert.deepEqual([...next.landed], ['metric_series']);
  next.stored(OUTCOME);
  assert.deepEqual(await third, { done: OUTCOME });
});

test('waiting for an identical request has a timeout: the client is told to retry', async () => {
  const ledger = new RequestLedger({ windowMs: 600_000, maxRequests: 10, waitMs: 50 });
  const stuck = attemptOf(await ledger.admit('z'));
  await assert.rejects(
    ledger.admit('z'),
    (e) => e instanceof StorageUnavailableError && /identical request is still being stored/.test(e.message),
  );
  stuck.stored(OUTCOME);
  assert.deepEqual(await ledger.admit('z'), { done: OUTCOME });
});
