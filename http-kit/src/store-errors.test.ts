import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable } from './store-errors.js';

/** The shape @clickhouse/client's ClickHouseError has (server and embedded engine). */
function clickHouseError(code: string, type: string): Error {
  return Object.assign(new Error(`Code: ${code}. DB::Exception: ... (${type})`), { code, type });
}

test('connection, timeout and overload failures are transient', () => {
  assert.equal(
    isStoreUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })),
    true,
  );
  assert.equal(isStoreUnavailable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
  assert.equal(isStoreUnavailable(new Error('Timeout error.')), true);
  assert.equal(isStoreUnavailable(clickHouseError('159', 'TIMEOUT_EXCEEDED')), true);
  assert.equal(isStoreUnavailable(clickHouseError('241', 'MEMORY_LIMIT_EXCEEDED')), true);
  assert.equal(isStoreUnavailable(clickHouseError('202', 'TOO_MANY_SIMULTANEOUS_QUERIES')), true);
  assert.equal(isStoreUnavailable(new Error('ChdbConnection is closed')), true);
  assert.equal(
    isStoreUnavailable(new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'CHDB_TIMEOUT' }) })),
    true,
  );
  assert.equal(isStoreUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])), true);
});

test('programming errors are not', () => {
  assert.equal(isStoreUnavailable(clickHouseError('62', 'SYNTAX_ERROR')), false);
  assert.equal(isStoreUnavailable(clickHouseError('47', 'UNKNOWN_IDENTIFIER')), false);
  assert.equal(isStoreUnavailable(clickHouseError('53', 'TYPE_MISMATCH')), false);
  assert.equal(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'map')")), false);
  assert.equal(isStoreUnavailable(undefined), false);
  assert.equal(isStoreUnavailable('ECONNREFUSED'), false);
});
