import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitError, limitSettings } from './clickhouse-reader.js';
import { ApiError } from '@telemetryflow/http-kit';
import { queryLimits } from './query-limits.js';

const limits = queryLimits({ maxExecutionSeconds: 7, maxRowsToRead: 1000, maxMemoryBytes: 2048 });
const chError = (type: string, message = '') => Object.assign(new Error(message), { type, code: '0' });

test('limit settings are the configured numbers, appended to the SQL', () => {
  assert.equal(
    limitSettings(limits),
    " SETTINGS max_execution_time = 7, timeout_overflow_mode = 'throw', max_rows_to_read = 1000, read_overflow_mode = 'throw', max_memory_usage = 2048",
  );
});

test('ClickHouse limit errors become 422 naming the limit; others pass through', () => {
  for (const [type, limit] of [
    ['TIMEOUT_EXCEEDED', 'maxExecutionSeconds'],
    ['TOO_MANY_ROWS', 'maxRowsToRead'],
    ['TOO_MANY_ROWS_OR_BYTES', 'maxRowsToRead'],
  ] as const) {
    const e = limitError(chError(type), limits);
    assert.ok(e instanceof ApiError && e.status === 422 && e.code === 'query_limit_exceeded', type);
    assert.equal((e.details as { limit: string }).limit, limit);
    assert.match(e.message, new RegExp(limit));
  }
  const perQuery = limitError(
    chError('MEMORY_LIMIT_EXCEEDED', 'Memory limit (for query) exceeded: would use 3 KiB'),
    limits,
  );
  assert.ok(perQuery instanceof ApiError && (perQuery.details as { limit: string }).limit === 'maxMemoryBytes');
  // The server-wide memory limit is overload, not this query's fault: left to the 503 mapping.
  const total = chError('MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded');
  assert.equal(limitError(total, limits), total);
  const regex = limitError(chError('CANNOT_COMPILE_REGEXP'), limits);
  assert.ok(regex instanceof ApiError && regex.status === 400);
  const other = new Error('boom');
  assert.equal(limitError(other, limits), other);
});
