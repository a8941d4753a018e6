import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@telemetryflow/http-kit';
import { attributeParams, decodeCursor, encodeCursor, pageOf } from './page-cursor.js';

test('cursors round-trip, belong to one sort, and reject anything else with 400 naming cursor', () => {
  const c = { k: '1732540800123456789', id: 'ab'.repeat(16), s: 'newest' };
  assert.deepEqual(decodeCursor(encodeCursor(c), 'newest'), c);
  assert.equal(decodeCursor(undefined, 'newest'), undefined);
  const bad = (raw: string, sort = 'newest') =>
    assert.throws(
      () => decodeCursor(raw, sort),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message.startsWith('cursor:'),
    );
  bad(encodeCursor(c), 'slowest');
  bad('not-base64-json');
  bad(Buffer.from(JSON.stringify({ k: '1 OR 1', id: 'x', s: 'newest' })).toString('base64url'));
});

test('pages: the cursor of the last row only when more rows follow', () => {
  const rows = [1, 2, 3];
  assert.deepEqual(pageOf(rows, 2, (r) => ({ k: String(r), id: 'a', s: 'newest' })).page, [1, 2]);
  assert.equal(
    decodeCursor(pageOf(rows, 2, (r) => ({ k: String(r), id: 'a', s: 'newest' })).meta.nextCursor, 'newest')?.k,
    '2',
  );
  assert.deepEqual(pageOf(rows, 3, () => ({ k: '0', id: 'a', s: 'newest' })).meta, {});
  assert.deepEqual(attributeParams({ 'resource.b': 'x', q: 'y', 'attr.a': 'z', 'attr.n': 1 }), [
    { label: 'attr.a', value: 'z' },
    { label: 'resource.b', value: 'x' },
  ]);
});
