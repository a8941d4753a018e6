import { durationMs, type AlertCondition } from '@telemetryflow/contract';
import { invalidParameter } from '@telemetryflow/http-kit';
import type { ReadLimits } from '../sources/query-reads.js';
import { burnWindowLengths } from '../evaluation/burn-rate.js';
import { alertExpression, PromqlExpressionError, readSpanMs } from './promql-expression.js';

const DAY_MS = 86_400_000;

/** The longest stretch of time one evaluation of the condition reads (a PromQL one's expression must parse). */
export function longestWindowMs(c: AlertCondition): number {
  if (c.kind === 'promql') return readSpanMs(alertExpression(c.query));
  return c.kind === 'slo_burn_rate' ? Math.max(...burnWindowLengths(c.windows)) : durationMs(c.window);
}

function windowParameter(c: AlertCondition): string {
  return c.kind === 'slo_burn_rate' ? 'windows' : c.kind === 'promql' ? 'query' : 'window';
}

/**
 * 400 naming the window when one evaluation of the rule would read more than a search of
 * the query API may (`maxSearchRangeDays`): a rule reads its whole window at every
 * evaluation, raw rows for log counts, absence and latency burn rates, raw samples for
 * PromQL. 400 with Prometheus' message for a PromQL expression that does not parse or is no
 * instant vector or scalar. `prefix` places the parameter in the request (`rule.` in a preview).
 */
export function assertRuleWithinLimits(rule: { condition: AlertCondition }, limits: ReadLimits, prefix = ''): void {
  const maxMs = limits.maxSearchRangeDays * DAY_MS;
  const parameter = `${prefix}condition.${windowParameter(rule.condition)}`;
  let longest: number;
  try {
    longest = longestWindowMs(rule.condition);
  } catch (err) {
    if (err instanceof PromqlExpressionError) throw invalidParameter(parameter, err.message);
    throw err;
  }
  if (longest <= maxMs) return;
  const what =
    rule.condition.kind === 'promql'
      ? `the expression reads ${+(longest / DAY_MS).toFixed(2)}d of samples (ranges, offsets and the 5m lookback added up); `
      : '';
  throw invalidParameter(
    parameter,
    `${what}at most ${limits.maxSearchRangeDays}d (maxSearchRangeDays): an alert rule reads its whole window at every evaluation, and no query may read a longer range of raw rows`,
  );
}
