import { describe, expect, it } from 'vitest';
import { parseRange, presetLabel, rangeKeysOf, rangeQuery, refreshMs, resolveRange } from './time-range.js';

describe('time ranges in the URL', () => {
  it('reads a preset, an absolute window, and falls back to the last hour', () => {
    expect(parseRange({ range: '6h' })).toEqual({ preset: '6h' });
    expect(parseRange({ from: '1000', to: '2000' })).toEqual({ from: 1000, to: 2000 });
    expect(parseRange({ from: '2000', to: '1000' })).toEqual({ preset: '1h' });
    expect(parseRange({ range: 'yesterday' })).toEqual({ preset: '1h' });
  });

  it('resolves presets against now and keeps absolute windows', () => {
    expect(resolveRange({ preset: '15m' }, 1_000_000_000)).toEqual({
      from: 1_000_000_000 - 900_000,
      to: 1_000_000_000,
    });
    expect(resolveRange({ from: 5, to: 9 }, 1_000_000_000)).toEqual({ from: 5, to: 9 });
  });

  it('writes the query of one form and clears the other', () => {
    expect(rangeQuery({ preset: '7d' })).toEqual({ range: '7d', from: undefined, to: undefined });
    expect(rangeQuery({ preset: '1h' })).toEqual({ range: '1h', from: undefined, to: undefined });
    expect(rangeQuery({ from: 1, to: 2 })).toEqual({ range: undefined, from: '1', to: '2' });
  });

  it('reads the range part of a query, to carry it to the next page', () => {
    expect(rangeKeysOf({ range: '6h', refresh: '30s', q: 'x' })).toEqual({ range: '6h', refresh: '30s' });
    expect(rangeKeysOf({ from: '1', to: '2', service: 'a' })).toEqual({ from: '1', to: '2' });
    expect(rangeKeysOf({ from: '1', service: 'a' })).toBeNull();
    expect(rangeKeysOf({ refresh: '30s' })).toBeNull();
  });

  it('names presets and reads refresh intervals', () => {
    expect(presetLabel('1h')).toBe('Last 1 hour');
    expect(presetLabel('30d')).toBe('Last 30 days');
    expect(refreshMs('30s')).toBe(30_000);
    expect(refreshMs('5m')).toBe(300_000);
    expect(refreshMs('off')).toBeNull();
  });
});

describe('the time zone of lists and pickers', () => {
  it('prints 24-hour times in UTC with a Z, and leaves local picker values alone', async () => {
    const { formatTime, fromPickerMs, toPickerMs } = await import('./time-zone.js');
    const t = Date.UTC(2026, 11, 7, 17, 5, 9, 123);
    expect(formatTime(t, 'millis', 'utc')).toBe('2026-12-07 17:05:09.123Z');
    expect(formatTime(t, 'clock', 'utc')).toBe('17:05Z');
    expect(formatTime(t, 'day', 'utc')).toBe('2026-12-07');
    expect(fromPickerMs(toPickerMs(t, 'utc'), 'utc')).toBe(t);
    expect(toPickerMs(t, 'local')).toBe(t);
  });
});
