import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BadData,
  lookupRange,
  MAX_TIME_TEXT,
  mergeParams,
  params,
  parseDuration,
  parseMatchers,
  parseTime,
} from './prometheus-params.js';

test('times: Unix seconds with the fraction rounded to the millisecond, RFC 3339, min/max time as unbounded', () => {
  assert.equal(parseTime('start', '1700000000'), 1_700_000_000_000);
  assert.equal(parseTime('start', '1700000000.1234'), 1_700_000_000_123);
  assert.equal(parseTime('start', '1700000000.9996'), 1_700_000_001_000);
  assert.equal(parseTime('time', '2024-01-15T12:00:00.5Z'), Date.UTC(2024, 0, 15, 12, 0, 0, 500));
  assert.equal(parseTime('time', '2024-01-15T13:00:00+01:00'), Date.UTC(2024, 0, 15, 12));
  assert.equal(parseTime('end', MAX_TIME_TEXT), undefined);
  assert.throws(
    () => parseTime('start', 'yesterday'),
    (e) =>
      e instanceof BadData && e.message === 'invalid parameter "start": cannot parse "yesterday" to a valid timestamp',
  );
});

test('durations: seconds as a float or a Prometheus duration', () => {
  assert.equal(parseDuration('step', '15'), 15_000);
  assert.equal(parseDuration('step', '0.5'), 500);
  assert.equal(parseDuration('step', '1m30s'), 90_000);
  assert.equal(parseDuration('step', '1h'), 3_600_000);
  assert.equal(parseDuration('step', '250ms'), 250);
  assert.throws(
    () => parseDuration('step', '1 minute'),
    (e) =>
      e instanceof BadData && e.message === 'invalid parameter "step": cannot parse "1 minute" to a valid duration',
  );
});

test('query string and form body merge; repeated keys are lists', () => {
  const p = mergeParams({ 'match[]': ['a', 'b'], start: '1' }, { 'match[]': 'c', query: 'up' });
  assert.deepEqual(params(p, 'match[]'), ['c', 'a', 'b']);
  assert.equal(p.query, 'up');
  assert.deepEqual(params(p, 'missing'), []);
});

test('look-up ranges default to the widest and stay within it; end before start is bad data', () => {
  const widest = { start: 1_000_000, end: 9_000_000 };
  assert.deepEqual(lookupRange({}, widest), widest);
  assert.deepEqual(lookupRange({ start: '2000', end: '3000' }, widest), { start: 2_000_000, end: 3_000_000 });
  assert.deepEqual(lookupRange({ start: '0' }, widest), widest);
  assert.throws(() => lookupRange({ start: '3000', end: '2000' }, widest), BadData);
});

test('match[] selectors parse to their matchers; other expressions are bad data', () => {
  assert.deepEqual(parseMatchers(['up{job="api"}']), [
    [
      { type: '=', name: 'job', value: 'api' },
      { type: '=', name: '__name__', value: 'up' },
    ],
  ]);
  assert.throws(() => parseMatchers(['rate(up[5m])']), BadData);
  assert.throws(() => parseMatchers(['up{']), BadData);
});
