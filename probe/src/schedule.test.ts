import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueMonitors, nextRunMs, slotOffsetMs, type ScheduleEntry } from './schedule.js';

const S = 1000;
const monitor = (
  id: string,
  lastRunMs: number | null,
  intervalMs = 30 * S,
  retryIntervalMs: number | null = null,
): ScheduleEntry => ({ id, intervalMs, lastRunMs, retryIntervalMs });

describe('schedule', () => {
  it('the per-monitor offset is stable and spreads monitors over the interval', () => {
    assert.equal(slotOffsetMs('mon-a', 30 * S), slotOffsetMs('mon-a', 30 * S));
    const offsets = Array.from({ length: 1000 }, (_, i) => slotOffsetMs(`monitor-${i}`, 30 * S));
    const perSecond = new Array<number>(30).fill(0);
    for (const o of offsets) perSecond[Math.floor(o / S)]!++;
    assert.ok(
      Math.max(...perSecond) <= 60,
      `at most twice the even share (33) starts in any second: ${Math.max(...perSecond)}`,
    );
    assert.ok(Math.min(...perSecond) >= 10, `every second has starts: ${Math.min(...perSecond)}`);
  });

  it('a monitor never checked is due at once, then at its slots', () => {
    const m = monitor('mon-a', null);
    assert.equal(nextRunMs(m, 1_000_000), 1_000_000);
    const offset = slotOffsetMs('mon-a', 30 * S);
    const first = nextRunMs({ ...m, lastRunMs: 1_000_000 }, 1_000_000);
    assert.equal((first - offset) % (30 * S), 0, 'on a slot');
    assert.ok(first - 1_000_000 >= 15 * S && first - 1_000_000 < 45 * S, 'at least half an interval later');
    assert.equal(nextRunMs({ ...m, lastRunMs: first }, first), first + 30 * S);
  });

  it('runs each slot once: a check that started late does not run again for the same slot, a missed slot is not caught up', () => {
    const offset = slotOffsetMs('mon-b', 30 * S);
    const slot = 3_000_000 - (3_000_000 % (30 * S)) + offset;
    const late = monitor('mon-b', slot + 2 * S);
    assert.deepEqual(dueMonitors([late], slot + 5 * S), []);
    assert.deepEqual(
      dueMonitors([late], slot + 30 * S).map((m) => m.id),
      ['mon-b'],
    );
    const idle = monitor('mon-b', slot - 300 * S);
    assert.equal(nextRunMs(idle, slot + 5 * S), slot - 270 * S, 'overdue since its next slot after the last run');
  });

  it('a retrying monitor is due after its retry interval, before its next slot', () => {
    const offset = slotOffsetMs('mon-c', 300 * S);
    const slot = 6_000_000 - (6_000_000 % (300 * S)) + offset;
    const retrying = monitor('mon-c', slot, 300 * S, 20 * S);
    assert.equal(nextRunMs(retrying, slot), slot + 20 * S);
    assert.equal(nextRunMs({ ...retrying, retryIntervalMs: null }, slot), slot + 300 * S);
  });

  it('lists the due monitors most overdue first', () => {
    const now = 10_000_000;
    const due = dueMonitors(
      [monitor('fresh', null), monitor('old', now - 600 * S), monitor('recent', now - 1 * S)],
      now,
    );
    assert.deepEqual(
      due.map((m) => m.id),
      ['old', 'fresh'],
    );
  });
});
