import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialMonitorState, isRetrying, nextMonitorState, type MonitorState } from './monitor-state.js';

/** Feeds results at 30 s steps of a fake clock; returns the status after each. */
function run(
  results: boolean[],
  retries: number,
  start: MonitorState = initialMonitorState(0),
): { statuses: string[]; changes: number[]; last: MonitorState } {
  let state = start;
  const statuses: string[] = [];
  const changes: number[] = [];
  results.forEach((up, i) => {
    const next = nextMonitorState(state, { up, atMs: (i + 1) * 30_000 }, retries);
    if (next.changed) changes.push((i + 1) * 30_000);
    state = next.state;
    statuses.push(state.status);
  });
  return { statuses, changes, last: state };
}

describe('monitor state with retries', () => {
  it('retries 0: the first failure is down, one success is up', () => {
    assert.deepEqual(run([true, false, true], 0).statuses, ['up', 'down', 'up']);
  });

  it('retries 2: down only at the third failure in a row, and a success in between starts over', () => {
    const r = run([true, false, false, true, false, false, false, false, true], 2);
    assert.deepEqual(r.statuses, ['up', 'up', 'up', 'up', 'up', 'up', 'down', 'down', 'up']);
    assert.deepEqual(r.changes, [30_000, 210_000, 270_000], 'up at the first check, down at 3.5 min, up at 4.5 min');
  });

  it('a new monitor that keeps failing stays pending through its retries', () => {
    assert.deepEqual(run([false, false], 2).statuses, ['pending', 'pending']);
    assert.deepEqual(run([false, false, false], 2).statuses, ['pending', 'pending', 'down']);
  });

  it('remembers since when the status holds, and retrying means failures not yet down', () => {
    const r = run([true, true, false], 1);
    assert.equal(r.last.sinceMs, 30_000);
    assert.equal(r.last.consecutiveFailures, 1);
    assert.equal(isRetrying(r.last), true);
    const down = run([false], 0, r.last);
    assert.equal(down.last.status, 'down');
    assert.equal(isRetrying(down.last), false);
  });
});
