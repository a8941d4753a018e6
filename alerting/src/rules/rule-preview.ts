import { durationMs, type AlertRuleInput, type PreviewDto } from '@telemetryflow/contract';
import { evaluateRule } from '../evaluation/evaluate-rule.js';
import { mapConcurrently } from '../scheduler/map-concurrently.js';
import type { InstanceState } from '../evaluation/state-machine.js';
import type { ConditionReader } from '../sources/clickhouse-condition-reader.js';

/** Evaluations one preview may run (one query each). */
export const MAX_PREVIEW_STEPS = 500;
const PREVIEW_CONCURRENCY = 4;

export class PreviewTooLargeError extends Error {}

export interface PreviewBudget {
  /** How long the preview's reads may take altogether, waiting for their turn included. */
  budgetMs: number;
  now?: () => number;
}

/**
 * Replays a rule over a past range at its interval, through the same state machine as the
 * scheduler, and returns the transitions it would have made. Nothing is stored or sent.
 * It stops past `budgetMs`: a preview costs as much as one query may, not 500 of them.
 */
export async function previewRule(
  reader: ConditionReader,
  tenant: string,
  rule: AlertRuleInput,
  fromMs: number,
  toMs: number,
  budget: PreviewBudget,
): Promise<PreviewDto> {
  const stepMs = durationMs(rule.interval);
  const steps = Math.floor((toMs - fromMs) / stepMs);
  if (steps > MAX_PREVIEW_STEPS) {
    throw new PreviewTooLargeError(
      `the range holds ${steps} evaluations at interval ${rule.interval}; at most ${MAX_PREVIEW_STEPS}: shorten it or raise the interval`,
    );
  }
  const now = budget.now ?? Date.now;
  const deadline = now() + budget.budgetMs;
  let read = 0;
  // Reads run a few at a time; the state machine then folds them in time order.
  const times = Array.from({ length: Math.max(steps, 0) }, (_, i) => fromMs + (i + 1) * stepMs);
  const samples = await mapConcurrently(times, PREVIEW_CONCURRENCY, async (at) => {
    if (now() > deadline) {
      throw new PreviewTooLargeError(
        `the preview took longer than ${budget.budgetMs / 1000} s after ${read} of ${steps} evaluations: shorten the range or raise the interval`,
      );
    }
    const s = await reader.read(tenant, rule, at);
    read++;
    return s;
  });
  let instances: ReadonlyMap<string, InstanceState> = new Map();
  const transitions: PreviewDto['transitions'] = [];
  for (const [i, at] of times.entries()) {
    const out = evaluateRule(rule, samples[i]!, instances, at);
    instances = out.instances;
    for (const t of out.transitions) {
      transitions.push({
        time: new Date(at).toISOString(),
        groupKey: t.groupKey,
        labels: t.labels,
        from: t.from,
        to: t.to,
        value: t.value,
      });
    }
  }
  return { evaluations: Math.max(steps, 0), transitions };
}
