import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowBinaryWriter } from '../src/index.js';

test('a rolled-back map is encoded again, not copied from bytes that were dropped', () => {
  const attrs = { 'service.name': 'checkout', region: 'eu' };
  const w = new RowBinaryWriter(16);
  w.string('first');
  const at = w.position;
  w.map(attrs, 0);
  w.string('refused item');
  w.rollback(at);
  w.string('overwrites the dropped map');
  w.map(attrs, 0);
  w.map(attrs, 0);

  const expected = new RowBinaryWriter(16);
  expected.string('first');
  expected.string('overwrites the dropped map');
  expected.map(attrs);
  expected.map(attrs);
  assert.deepEqual(w.bytes(), expected.bytes());
});

test('ids are written as lowercase hex text and 64-bit words as little-endian integers', () => {
  const w = new RowBinaryWriter(4);
  w.hex(Buffer.from('00ff10ab', 'hex'));
  w.uint64Words(-1, 0x7fffffff);
  w.uint64Words(-5 >>> 0, -1);
  w.raw(Buffer.from([1, 2]));

  const expected = new RowBinaryWriter(4);
  expected.string('00ff10ab');
  expected.uint64(0x7fffffffffffffffn);
  expected.int64(-5n);
  assert.deepEqual(w.bytes(), Buffer.concat([expected.bytes(), Buffer.from([1, 2])]));
});
