import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertConditionSchema, QuerySchema } from '@telemetryflow/contract';
import { spanConditionQuery, spanMeasure } from './span-condition-query.js';

describe('spanConditionQuery', () => {
  it('turns a span condition into a valid spans query DTO', () => {
    const c = AlertConditionSchema.parse({
      kind: 'span',
      measure: 'p99_latency_ms',
      service: 'checkout',
      operation: 'POST /pay',
      threshold: { op: 'above', value: 1 },
    });
    if (c.kind !== 'span') throw new Error('parsed kind');
    const q = spanConditionQuery(c, spanMeasure(c.measure), ['operation']);
    assert.deepEqual(q, {
      signal: 'spans',
      measure: 'p99',
      filters: [
        { label: 'service', op: '=', value: 'checkout' },
        { label: 'operation', op: '=', value: 'POST /pay' },
      ],
      groupBy: ['operation'],
    });
    assert.equal(QuerySchema.safeParse(q).success, true);
  });

  it("measures a service's entry spans, and an operation's own spans", () => {
    const service = AlertConditionSchema.parse({
      kind: 'span',
      measure: 'error_rate',
      service: 'checkout',
      threshold: { op: 'above', value: 0.05 },
    });
    if (service.kind !== 'span') throw new Error('parsed kind');
    const q = spanConditionQuery(service, spanMeasure(service.measure), []);
    assert.equal(q.spans, 'entry');
    assert.equal(QuerySchema.safeParse(q).success, true);
    const everywhere = AlertConditionSchema.parse({
      kind: 'span',
      measure: 'p95_latency_ms',
      threshold: { op: 'above', value: 300 },
    });
    if (everywhere.kind !== 'span') throw new Error('parsed kind');
    assert.equal(spanConditionQuery(everywhere, 'p95', ['service']).spans, 'entry');
  });

  it('maps every measure and leaves out what is not set', () => {
    assert.deepEqual(
      ['error_rate', 'p95_latency_ms', 'p99_latency_ms', 'request_rate'].map((m) => spanMeasure(m as 'error_rate')),
      ['error_rate', 'p95', 'p99', 'rate'],
    );
    const c = AlertConditionSchema.parse({
      kind: 'slo_burn_rate',
      objective: 'availability',
      service: 'api',
      target: 0.999,
    });
    if (c.kind !== 'slo_burn_rate') throw new Error('parsed kind');
    assert.deepEqual(spanConditionQuery(c, 'error_rate', []), {
      signal: 'spans',
      measure: 'error_rate',
      spans: 'entry',
      filters: [{ label: 'service', op: '=', value: 'api' }],
    });
  });
});
