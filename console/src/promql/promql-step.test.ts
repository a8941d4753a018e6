import { describe, expect, it } from 'vitest';
import { formatStep, MAX_POINTS, rangeQueryWindow } from './promql-step.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 7, 10, 0, 0); // a whole hour

describe('the step of a PromQL chart', () => {
  it('gives about a point per pixel, rounded to a nice step', () => {
    // 1 h over 1000 px: 3.6 s a point → 5 s; over 240 px: 15 s.
    expect(rangeQueryWindow({ from: T - HOUR, to: T }, 1000).step).toBe(5);
    expect(rangeQueryWindow({ from: T - HOUR, to: T }, 240).step).toBe(15);
    // 24 h over 1200 px: 72 s → 1 m; 7 d over 1000 px: 605 s → 10 m.
    expect(rangeQueryWindow({ from: T - 24 * HOUR, to: T }, 1200).step).toBe(60);
    expect(rangeQueryWindow({ from: T - 7 * 24 * HOUR, to: T }, 1000).step).toBe(600);
  });

  it('never goes below 1 s (or the minimum asked for)', () => {
    expect(rangeQueryWindow({ from: T - 60_000, to: T }, 2000).step).toBe(1);
    expect(rangeQueryWindow({ from: T - 60_000, to: T }, 2000, 15).step).toBe(15);
  });

  it('stays within the points Prometheus allows per series', () => {
    const w = rangeQueryWindow({ from: T - 30 * 24 * HOUR, to: T }, 100_000);
    expect((w.end - w.start) / 1000 / w.step).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('aligns start and end down to the step, so a refresh evaluates at the same instants', () => {
    const a = rangeQueryWindow({ from: T - HOUR + 2_345, to: T + 2_345 }, 240);
    expect(a).toEqual({ start: T - HOUR, end: T, step: 15 });
    const b = rangeQueryWindow({ from: T - HOUR + 7_000, to: T + 7_000 }, 240);
    expect((b.start - a.start) % 15_000).toBe(0);
  });

  it('writes steps as Prometheus durations', () => {
    expect([1, 15, 60, 300, 3600, 86_400, 90].map(formatStep)).toEqual(['1s', '15s', '1m', '5m', '1h', '1d', '90s']);
  });
});
