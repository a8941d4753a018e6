import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertConditionSchema } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import { alertExpression, readSpanMs } from './promql-expression.js';
import { assertRuleWithinLimits } from './rule-limits.js';

const LIMITS = { maxExecutionSeconds: 10, maxSearchRangeDays: 31 };
const MIN = 60_000;

function refusal(query: string, prefix = ''): string {
  const condition = AlertConditionSchema.parse({ kind: 'promql', query });
  try {
    assertRuleWithinLimits({ condition }, LIMITS, prefix);
  } catch (err) {
    assert.ok(err instanceof ApiError && err.status === 400 && err.code === 'invalid_parameter', String(err));
    return err.message;
  }
  return 'accepted';
}

describe('PromQL rule expressions', () => {
  it('are refused with Prometheus’ parse message, naming the parameter', () => {
    assert.equal(refusal('rate(up[5m]'), 'condition.query: 1:12: parse error: unclosed left parenthesis');
    assert.equal(refusal('up ==', 'rule.'), 'rule.condition.query: 1:6: parse error: unexpected end of input');
    assert.equal(
      refusal('sum(rate(http_requests_total[5m])) by (job'),
      'condition.query: 1:43: parse error: unclosed left parenthesis',
    );
  });

  it('must be an instant vector or a scalar', () => {
    assert.equal(
      refusal('up[5m]'),
      'condition.query: invalid expression type "range vector" for an alert rule, must be Scalar or instant Vector',
    );
    assert.equal(
      refusal('"down"'),
      'condition.query: invalid expression type "string" for an alert rule, must be Scalar or instant Vector',
    );
    assert.equal(refusal('sum by (job) (rate(http_requests_total[5m])) > 0.1'), 'accepted');
    assert.equal(refusal('scalar(up) > bool 1'), 'accepted');
  });

  it('may read at most maxSearchRangeDays at each evaluation', () => {
    assert.equal(refusal('avg_over_time(up[30d])'), 'accepted');
    assert.match(
      refusal('avg_over_time(up[30d] offset 2d)'),
      /^condition\.query: the expression reads 32d of samples \(ranges, offsets and the 5m lookback added up\); at most 31d \(maxSearchRangeDays\)/,
    );
  });

  it('measure how far back one evaluation reads', () => {
    const span = (q: string) => readSpanMs(alertExpression(q));
    assert.equal(span('1 + 1'), 0);
    assert.equal(span('up'), 5 * MIN, 'the lookback of an instant selector');
    assert.equal(span('rate(x[10m] offset 1h)'), 70 * MIN);
    assert.equal(span('max_over_time(rate(x[5m])[1h:1m]) - on() (up offset 2h)'), 125 * MIN);
    assert.equal(span('topk(scalar(y offset 1d), x)'), 24 * 60 * MIN + 5 * MIN);
  });
});
