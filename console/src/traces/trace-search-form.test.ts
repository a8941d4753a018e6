import { describe, expect, it } from 'vitest';
import {
  durationFields,
  isSavedSearchShown,
  parseDurationField,
  parseTraceId,
  relativeRangeOf,
  savedSearchPatch,
  traceFiltersOf,
} from './trace-search-form.js';

describe('the trace search form', () => {
  it('takes durations as numbers of milliseconds and refuses anything else', () => {
    expect(parseDurationField('')).toEqual({ ms: null });
    expect(parseDurationField(' 250 ')).toEqual({ ms: 250 });
    expect(parseDurationField('0.5')).toEqual({ ms: 0.5 });
    for (const bad of ['abc', 'NaN', '-5', '1e3', '12ms', 'Infinity'])
      expect(parseDurationField(bad)).toHaveProperty('error');
  });

  it('marks each bad duration on its field, and a max below the min', () => {
    expect(durationFields('abc', '')).toEqual({ minMs: null, maxMs: null, errors: { min: expect.any(String) } });
    expect(durationFields('300', '200').errors).toEqual({ max: 'At least the min duration' });
    expect(durationFields('100', '200')).toEqual({ minMs: 100, maxMs: 200, errors: {} });
  });

  it('reads a trace id as typed, and says what is wrong with one that is not', () => {
    expect(parseTraceId(' 0AF7651916CD43DD8448EB211C80319C ')).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c' });
    expect(parseTraceId('')).toEqual({ error: 'Enter a trace id' });
    expect(parseTraceId('xyz')).toEqual({
      error: 'A trace id is 32 hexadecimal characters (0–9, a–f); this has 3 characters',
    });
    expect(parseTraceId('0af7651916cd43dd')).toHaveProperty('error');
    expect(parseTraceId('0'.repeat(32))).toHaveProperty('error');
  });
});

describe('saved trace searches in the URL', () => {
  const query = { service: 'cart', 'attr.http.route': '/cart', range: '1h', span: 'x', view: 'map', status: '' };

  it('keeps the filters of a query, not its range or view state', () => {
    expect(traceFiltersOf(query)).toEqual({ service: 'cart', 'attr.http.route': '/cart' });
  });

  it('applies a saved search: its filters replace the current ones, its range the current range', () => {
    expect(
      savedSearchPatch(
        { ...query, from: '1', to: '2' },
        { filters: { operation: 'GET /', status: 'error' }, range: '6h' },
      ),
    ).toEqual({
      service: undefined,
      'attr.http.route': undefined,
      operation: 'GET /',
      status: 'error',
      range: '6h',
      from: undefined,
      to: undefined,
    });
  });

  it('knows when the page shows a saved search', () => {
    const saved = { filters: { service: 'cart', 'attr.http.route': '/cart' }, range: '1h' };
    expect(isSavedSearchShown(query, { preset: '1h' }, saved)).toBe(true);
    expect(isSavedSearchShown(query, { preset: '6h' }, saved)).toBe(false);
    expect(isSavedSearchShown({ ...query, operation: 'x' }, { preset: '1h' }, saved)).toBe(false);
    expect(isSavedSearchShown(query, { from: 0, to: 3_600_000 }, saved)).toBe(false);
  });

  it('saves a relative range: the preset, or an absolute window’s length', () => {
    expect(relativeRangeOf({ preset: '6h' })).toBe('6h');
    expect(relativeRangeOf({ from: 0, to: 2 * 86_400_000 })).toBe('2d');
    expect(relativeRangeOf({ from: 0, to: 3 * 3_600_000 })).toBe('3h');
    expect(relativeRangeOf({ from: 0, to: 90 * 60_000 })).toBe('90m');
    expect(relativeRangeOf({ from: 0, to: 10_000 })).toBe('1m');
  });
});
