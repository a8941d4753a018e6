import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsMsg } from '@nats-io/jetstream';
import { DeliveryClaims } from './delivery-claims.js';

/** A delivery as the claims see it: its stream sequence and how often it was delivered. */
function delivery(seq: number, deliveryCount = 1): JsMsg {
  return { seq, info: { deliveryCount } } as unknown as JsMsg;
}

const shape = (msgs: JsMsg[]) => msgs.map((m) => [m.seq, m.info.deliveryCount]);

test('a batch takes one copy per sequence, the latest delivery, in stream order', () => {
  const claims = new DeliveryClaims();
  const pulled = [delivery(7), delivery(3, 1), delivery(5), delivery(3, 2), delivery(7)];
  assert.deepEqual(shape(claims.claim('traces', pulled)), [
    [3, 2],
    [5, 1],
    [7, 1],
  ]);
});

test('a sequence another batch holds is left to it until released; signals are apart', () => {
  const claims = new DeliveryClaims();
  const first = claims.claim('logs', [delivery(1), delivery(2)]);
  assert.deepEqual(shape(claims.claim('logs', [delivery(2, 2), delivery(3)])), [[3, 1]]);
  assert.deepEqual(shape(claims.claim('traces', [delivery(2)])), [[2, 1]], 'another signal has its own sequences');
  claims.release('logs', first);
  assert.deepEqual(shape(claims.claim('logs', [delivery(2, 2)])), [[2, 2]]);
});

test('a stale copy of an acked sequence is dropped, also after its batch released it', () => {
  const claims = new DeliveryClaims();
  const msgs = claims.claim('metrics', [delivery(10), delivery(11)]);
  claims.acked('metrics', [msgs[0]!]);
  claims.release('metrics', msgs);
  assert.deepEqual(shape(claims.claim('metrics', [delivery(10, 2), delivery(11, 2)])), [[11, 2]]);
});
