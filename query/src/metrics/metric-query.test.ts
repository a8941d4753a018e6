import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@telemetryflow/http-kit';
import { parseMetricQuery, planFor, seriesLabels } from './metric-query.js';

const bad = (body: unknown, name: string) =>
  assert.throws(
    () => parseMetricQuery(body, 7_200_000),
    (e: unknown) => e instanceof ApiError && e.status === 400 && e.message.startsWith(name),
  );

test('parseMetricQuery: defaults and validation', () => {
  const q = parseMetricQuery({ metric: 'm', aggregation: 'avg' }, 7_200_000);
  assert.equal(q.stepMs, 60_000);
  assert.equal(q.toNs - q.fromNs, 3_600_000_000_000n);
  assert.deepEqual(
    parseMetricQuery({ metric: 'm', aggregation: 'sum', filters: { a: 'b' }, groupBy: ['x', 'x'] }).filters,
    [{ label: 'a', op: '=', value: 'b' }],
  );
  const ops = [
    { label: 'host', op: 'in', value: ['h1', 'h2'] },
    { label: 'env', op: '=~', value: '^prod' },
  ];
  assert.deepEqual(parseMetricQuery({ metric: 'm', aggregation: 'increase', filters: ops }).filters, ops);
  bad(null, 'body');
  bad({ aggregation: 'avg' }, 'metric');
  bad({ metric: 'm', aggregation: 'median' }, 'aggregation');
  bad({ metric: 'm', aggregation: 'avg', groupBy: 'x' }, 'groupBy');
  bad({ metric: 'm', aggregation: 'avg', filters: { a: 1 } }, 'filters');
  bad({ metric: 'm', aggregation: 'avg', filters: [{ label: 'a', op: '~', value: 'x' }] }, 'filters');
  bad({ metric: 'm', aggregation: 'avg', stepSeconds: 0 }, 'stepSeconds');
  bad({ metric: 'm', aggregation: 'avg', stepSeconds: 1, from: 0, to: 86_400_000 }, 'stepSeconds');
  bad({ metric: 'm', aggregation: 'avg', from: 'x' }, 'from');
  bad({ metric: 'm', aggregation: 'avg', to: {} }, 'to');
});

test('planFor and labels', () => {
  assert.equal(planFor('sum', 'rate'), 'counter');
  assert.equal(planFor('sum', 'increase'), 'counter');
  assert.equal(planFor('histogram', 'p95'), 'histogram-quantile');
  assert.equal(planFor('histogram', 'avg'), 'distribution-totals');
  assert.equal(planFor('exponential_histogram', 'p99'), 'exp-histogram-quantile');
  assert.equal(planFor('histogram', 'min'), 'distribution-extremes');
  assert.equal(planFor('exponential_histogram', 'max'), 'distribution-extremes');
  assert.match(planFor('histogram', 'rate'), /not supported/);
  assert.match(planFor('summary', 'p50'), /not supported/);
  assert.equal(planFor('gauge', 'max'), 'stats');
  assert.match(planFor('gauge', 'rate'), /needs a sum/);
  assert.deepEqual(seriesLabels(['a', 'service.name', 'z'], { a: '1' }, { 'service.name': 'api' }), {
    a: '1',
    'service.name': 'api',
    z: '',
  });
});
