import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryError } from '@telemetryflow/promql';
import { promqlApiError } from './promql-api-error.js';

test("a preview's PromQL errors answer with Prometheus' status and message", () => {
  const bad = promqlApiError(
    new QueryError('bad_data', '1:6: parse error: unexpected end of input'),
    'rule.condition.query',
  );
  assert.deepEqual(
    [bad.status, bad.code, bad.message, bad.details],
    [
      400,
      'invalid_parameter',
      'rule.condition.query: 1:6: parse error: unexpected end of input',
      { parameter: 'rule.condition.query' },
    ],
  );
  const exec = promqlApiError(
    new QueryError('execution', 'query processing would load too many samples into memory in query execution'),
    'q',
  );
  assert.deepEqual([exec.status, exec.code], [422, 'execution']);
  assert.deepEqual(
    [promqlApiError(new QueryError('timeout', 'query timed out in query execution'), 'q').status],
    [503],
  );
});
