import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDashboardFeed } from './dashboard-feed.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `condition` holds (every 2 ms, failing after 5 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

test('renders now and every interval; a client that does not acknowledge gets no new render; a failed render is reported and the feed goes on', async () => {
  let n = 0;
  const sent: { data: number; done: () => void }[] = [];
  const failures: unknown[] = [];
  const render = async () => {
    n++;
    if (n === 3) throw new Error('boom');
    return n;
  };
  const stop = await startDashboardFeed(
    render,
    { send: (data, done) => sent.push({ data, done }), failed: (e) => failures.push(e) },
    20,
  );
  assert.deepEqual(
    sent.map((s) => s.data),
    [1],
  );
  await tick(70);
  assert.equal(n, 1, 'no render while the first is unacknowledged');
  sent[0]!.done();
  await until(() => sent.length >= 2, 'a render after the acknowledgement');
  assert.ok(sent.length >= 2 && sent[1]!.data === 2);
  sent[1]!.done();
  await until(() => sent.length >= 3, 'a render after the failed one');
  assert.equal(failures.length, 1);
  assert.ok(
    sent.some((s) => s.data === 4),
    'the feed goes on after a failure',
  );
  stop();
  const after = n;
  await tick(60);
  assert.equal(n, after);
});

test('a failing first render rejects and leaves no timer', async () => {
  await assert.rejects(
    startDashboardFeed(async () => Promise.reject(new Error('not found')), { send: () => {}, failed: () => {} }, 10),
    /not found/,
  );
});

test('a tick without room for a render is skipped', async () => {
  let n = 0;
  let room = false;
  const sent: number[] = [];
  const stop = await startDashboardFeed(
    async () => ++n,
    {
      send: (d, done) => {
        sent.push(d);
        done();
      },
      failed: () => {},
    },
    10,
    () => room,
  );
  await tick(50);
  assert.deepEqual(sent, [1]);
  room = true;
  await until(() => sent.length > 1, 'a render once there is room');
  assert.ok(sent.length > 1);
  stop();
});
