import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueryDto, Variable } from '@telemetryflow/contract';
import type { ApiError } from '@telemetryflow/http-kit';
import { resolveVariableValues, substituteVariables } from './dashboard-variables.js';

const variable = (name: string, extra: Partial<Variable> = {}): Variable => ({
  name,
  source: { signal: 'spans', label: 'service' },
  multi: false,
  ...extra,
});

test('values: the given one, else the default, else none; unknown names and several values for a single variable are refused', () => {
  const defs = [variable('service', { default: 'api' }), variable('env'), variable('route', { multi: true })];
  assert.deepEqual(resolveVariableValues(defs), { service: 'api', env: null, route: null });
  assert.deepEqual(resolveVariableValues(defs, { service: 'web', route: ['/a', '/b'] }), {
    service: 'web',
    env: null,
    route: ['/a', '/b'],
  });
  assert.deepEqual(resolveVariableValues(defs, { service: '' }), { service: null, env: null, route: null });
  assert.throws(
    () => resolveVariableValues(defs, { nope: 'x' }),
    (e: ApiError) => e.status === 400 && (e.details as { parameter: string }).parameter === 'variables.nope',
  );
  assert.throws(() => resolveVariableValues(defs, { service: ['a', 'b'] }), /takes one value/);
});

test('substitution into texts and filters: $name and ${name}; other $words stay as written', () => {
  const query: QueryDto = {
    signal: 'metrics',
    metric: '${prefix}.requests',
    aggregation: 'sum',
    filters: [
      { label: 'service.name', op: '=', value: '$service' },
      { label: 'route', op: '=~', value: '^/api/$version/.*$' },
      { label: 'host', op: '=', value: '$HOME' },
    ],
  };
  const out = substituteVariables(query, { prefix: 'http', service: 'api', version: 'v2' });
  assert.deepEqual(out, {
    signal: 'metrics',
    metric: 'http.requests',
    aggregation: 'sum',
    filters: [
      { label: 'service.name', op: '=', value: 'api' },
      { label: 'route', op: '=~', value: '^/api/v2/.*$' },
      { label: 'host', op: '=', value: '$HOME' },
    ],
  });
});

test('a filter on a variable without a value is dropped (all); several values turn = into in and != into a negated alternation', () => {
  const filters = [
    { label: 'service', op: '=', value: '$service' },
    { label: 'env', op: '!=', value: '$env' },
    { label: 'zone', op: 'in', value: ['$zone', 'z'] },
    { label: 'rack', op: 'in', value: ['$rack'] },
  ];
  assert.deepEqual(substituteVariables(filters, { service: null, env: null, zone: ['a', 'b'], rack: null }), [
    { label: 'zone', op: 'in', value: ['a', 'b', 'z'] },
  ]);
  assert.deepEqual(
    substituteVariables(filters, { service: ['api', 'web'], env: ['dev', 'te.st'], zone: null, rack: 'r1' }),
    [
      { label: 'service', op: 'in', value: ['api', 'web'] },
      { label: 'env', op: '!~', value: '^(dev|te\\.st)$' },
      { label: 'zone', op: 'in', value: ['z'] },
      { label: 'rack', op: 'in', value: ['r1'] },
    ],
  );
});
