import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedDelivery, type DeliveryLimits } from './bounded-delivery.js';

const LIMITS: DeliveryLimits = { maxBuffered: 10, maxBatch: 4, flushMs: 5, stallMs: 200 };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `condition` holds (every 2 ms, failing after 5 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

function recorder() {
  const sent: { items: number[]; dropped: number; ack: () => void }[] = [];
  const events = { dropping: 0, stalled: 0 };
  const sink = {
    send: (items: number[], dropped: number, ack: () => void) => sent.push({ items, dropped, ack }),
    dropping: () => events.dropping++,
    stalled: () => events.stalled++,
  };
  return { sent, events, sink };
}

test('one batch in flight until acknowledged; batches of at most maxBatch in arrival order', async () => {
  const { sent, sink } = recorder();
  const d = new BoundedDelivery<number>(sink, LIMITS);
  d.push([1, 2, 3, 4, 5, 6]);
  await until(() => sent.length === 1, 'the first batch');
  assert.deepEqual(
    sent.map((s) => s.items),
    [[1, 2, 3, 4]],
  );
  assert.equal(d.buffered, 2);
  sent[0]!.ack();
  await until(() => sent.length === 2, 'the second batch');
  assert.deepEqual(
    sent.map((s) => s.items),
    [
      [1, 2, 3, 4],
      [5, 6],
    ],
  );
  d.close();
});

test('a reader that does not acknowledge: the buffer stays bounded, drops are counted and reported, then it is stalled', async () => {
  const { sent, events, sink } = recorder();
  const d = new BoundedDelivery<number>(sink, LIMITS);
  d.push([0, 1, 2, 3]);
  await until(() => sent.length === 1, 'the first batch');
  for (let i = 0; i < 50; i++) d.push([100 + i]);
  assert.equal(d.buffered, LIMITS.maxBuffered);
  assert.equal(events.dropping, 1);
  await until(() => events.stalled > 0, 'the stall');
  assert.equal(events.stalled, 1);
  d.push([], 5);
  assert.equal(sent[1], undefined);
  sent[0]!.ack();
  await until(() => sent.length === 2, 'the batch after the ack');
  assert.equal(sent[1]!.dropped, 45);
  assert.deepEqual(sent[1]!.items, [100, 101, 102, 103]);
  assert.equal(d.room, LIMITS.maxBuffered - 6);
  d.close();
  d.push([1]);
  assert.equal(d.buffered, 0);
  assert.equal(d.room, 0);
});
