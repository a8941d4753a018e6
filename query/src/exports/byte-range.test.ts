import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteRange } from './byte-range.js';

test('single byte ranges: closed, open, suffix; clipped to the file', () => {
  assert.deepEqual(parseByteRange('bytes=0-99', 1000), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(parseByteRange('bytes=990-2000', 1000), { kind: 'partial', start: 990, end: 999 });
  assert.deepEqual(parseByteRange('bytes=500-', 1000), { kind: 'partial', start: 500, end: 999 });
  assert.deepEqual(parseByteRange('bytes=-10', 1000), { kind: 'partial', start: 990, end: 999 });
  assert.deepEqual(parseByteRange('bytes=-5000', 1000), { kind: 'partial', start: 0, end: 999 });
});

test('unsatisfiable: starting past the end, an empty suffix, any range of an empty file', () => {
  assert.deepEqual(parseByteRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseByteRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseByteRange('bytes=0-0', 0), { kind: 'unsatisfiable' });
});

test('ignored (whole file): no header, other units, several ranges, malformed or reversed', () => {
  for (const h of [undefined, 'items=0-1', 'bytes=0-1,5-9', 'bytes=x-y', 'bytes=-', 'bytes=9-3']) {
    assert.deepEqual(parseByteRange(h, 1000), { kind: 'whole' }, String(h));
  }
});
