import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedDashboardFeeds, type FeedWatcher } from './shared-dashboard-feeds.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `condition` holds (every 2 ms, failing after 5 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

function follower() {
  const got: number[] = [];
  const failures: unknown[] = [];
  const watcher: FeedWatcher<number> = {
    send: (d, done) => {
      got.push(d);
      done();
    },
    failed: (e) => failures.push(e),
  };
  return { got, failures, watcher };
}

test('followers of the same feed share one render per tick; a late follower gets the last render at once; the feed stops with its last follower', async () => {
  const feeds = new SharedDashboardFeeds<number>();
  let renders = 0;
  const render = async () => ++renders;
  const a = follower();
  const b = follower();
  const leaveA = await feeds.join('k', render, 20, a.watcher);
  await tick(50);
  const leaveB = await feeds.join('k', render, 20, b.watcher);
  assert.equal(b.got[0], a.got.at(-1), 'the late follower starts with the last render');
  await until(() => b.got.length >= 3, 'two more renders');
  assert.equal(feeds.size, 1);
  assert.equal(renders, a.got.length, 'one render per tick, not one per follower');
  assert.deepEqual(b.got, a.got.slice(a.got.length - b.got.length));
  leaveA();
  leaveB();
  assert.equal(feeds.size, 0);
  const stoppedAt = renders;
  await tick(60);
  assert.equal(renders, stoppedAt);
});

test('different keys are different feeds; a failing first render rejects every follower that waited for it', async () => {
  const feeds = new SharedDashboardFeeds<number>();
  let fail = true;
  const render = async () => {
    await tick(10);
    if (fail) throw new Error('not found');
    return 1;
  };
  const [x, y] = await Promise.allSettled([
    feeds.join('bad', render, 20, follower().watcher),
    feeds.join('bad', render, 20, follower().watcher),
  ]);
  assert.equal(x.status, 'rejected');
  assert.equal(y.status, 'rejected');
  assert.equal(feeds.size, 0);
  fail = false;
  const leave1 = await feeds.join('one', render, 20, follower().watcher);
  const leave2 = await feeds.join('two', render, 20, follower().watcher);
  assert.equal(feeds.size, 2);
  leave1();
  leave2();
  assert.equal(feeds.size, 0);
});
