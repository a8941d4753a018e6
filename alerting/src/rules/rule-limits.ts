import { durationMs, type AlertCondition } from '@telemetryflow/contract';
import { invalidParameter } from '@telemetryflow/http-kit';
import type { ReadLimits } from '../sources/query-reads.js';
import { burnWindowLengths } from '../evaluation/burn-rate.js';

const DAY_MS = 86_400_000;

/** The longest stretch of time one evaluation of the condition reads. */
export function longestWindowMs(c: AlertCondition): number {
  return c.kind === 'slo_burn_rate' ? Math.max(...burnWindowLengths(c.windows)) : durationMs(c.window);
}

/**
 * 400 naming the window when one evaluation of the rule would read more than a search of
 * the query API may (`maxSearchRangeDays`): a rule reads its whole window at every
 * evaluation, raw rows for log counts, absence and latency burn rates. `prefix` places the
 * parameter in the request (`rule.` in a preview).
 */
export function assertRuleWithinLimits(rule: { condition: AlertCondition }, limits: ReadLimits, prefix = ''): void {
  const maxMs = limits.maxSearchRangeDays * DAY_MS;
  if (longestWindowMs(rule.condition) <= maxMs) return;
  const parameter = `${prefix}condition.${rule.condition.kind === 'slo_burn_rate' ? 'windows' : 'window'}`;
  throw invalidParameter(
    parameter,
    `at most ${limits.maxSearchRangeDays}d (maxSearchRangeDays): an alert rule reads its whole window at every evaluation, and no query may read a longer range of raw rows`,
  );
}
