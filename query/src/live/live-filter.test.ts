import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveFilterSchema } from '@telemetryflow/contract';
import { logMatches, spanMatches } from './live-filter.js';
import type { LiveLogRow, LiveSpanRow } from './live-rows.js';

const log: LiveLogRow = {
  serviceName: 'api',
  severityNumber: 13,
  body: 'Upstream TIMEOUT',
  traceId: 'ab'.repeat(16),
  attributes: { region: 'eu' },
  resource: { 'k8s.ns': 'prod' },
};
const span: LiveSpanRow = {
  serviceName: 'api',
  name: 'GET /cart',
  traceId: 'ab'.repeat(16),
  attributes: {},
  resource: { 'k8s.ns': 'prod' },
};
const f = (raw: unknown) => LiveFilterSchema.parse(raw);

test('log filters: service, severity at or above (number or name), text, trace id, attributes or resource attributes', () => {
  assert.ok(logMatches(f({}), log));
  assert.ok(
    logMatches(
      f({
        service: 'api',
        minSeverity: 'WARN',
        text: 'timeout',
        traceId: 'AB'.repeat(16),
        attributes: { region: 'eu', 'k8s.ns': 'prod' },
      }),
      log,
    ),
  );
  assert.ok(!logMatches(f({ minSeverity: 'ERROR' }), log));
  assert.ok(logMatches(f({ minSeverity: 13 }), log));
  assert.ok(!logMatches(f({ service: 'web' }), log));
  assert.ok(!logMatches(f({ text: 'refused' }), log));
  assert.ok(!logMatches(f({ attributes: { region: 'us' } }), log));
});

test('span filters: text is a substring of the name; bad filters are refused by the schema', () => {
  assert.ok(spanMatches(f({ text: '/CART', attributes: { 'k8s.ns': 'prod' } }), span));
  assert.ok(!spanMatches(f({ traceId: 'cd'.repeat(16) }), span));
  assert.throws(() => f({ traceId: 'xyz' }));
  assert.throws(() => f({ minSeverity: 25 }));
  assert.throws(() => f({ colour: 'red' }));
});
