import { durationMs, type AlertRuleInput, type PreviewDto, type PromqlCondition } from '@telemetryflow/contract';
import { evaluateRule, type GroupSample } from '../evaluation/evaluate-rule.js';
import { mapConcurrently } from '../scheduler/map-concurrently.js';
import type { InstanceState } from '../evaluation/state-machine.js';
import type { ConditionReader } from '../sources/condition-reader.js';

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
 * A PromQL rule is read with one range query at the interval, as Prometheus would chart it.
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
  const times = Array.from({ length: Math.max(steps, 0) }, (_, i) => fromMs + (i + 1) * stepMs);
  const samples =
    rule.condition.kind === 'promql'
      ? await readPromql(reader, tenant, rule.condition, times, budget)
      : await readEach(reader, tenant, rule, times, budget);
  // The state machine folds the reads in time order.
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
  return { evaluations: times.length, transitions };
}

/** One read per evaluation time, a few at a time, until the budget is spent. */
async function readEach(
  reader: ConditionReader,
  tenant: string,
  rule: AlertRuleInput,
  times: number[],
  budget: PreviewBudget,
): Promise<GroupSample[][]> {
  const now = budget.now ?? Date.now;
  const deadline = now() + budget.budgetMs;
  let read = 0;
  return mapConcurrently(times, PREVIEW_CONCURRENCY, async (at) => {
    if (now() > deadline) {
      throw new PreviewTooLargeError(
        `the preview took longer than ${budget.budgetMs / 1000} s after ${read} of ${times.length} evaluations: shorten the range or raise the interval`,
      );
    }
    const s = await reader.read(tenant, rule, at);
    read++;
    return s;
  });
}

async function readPromql(
  reader: ConditionReader,
  tenant: string,
  condition: PromqlCondition,
  times: number[],
  budget: PreviewBudget,
): Promise<GroupSample[][]> {
  const stop = AbortSignal.timeout(budget.budgetMs);
  try {
    return await reader.readPromqlEvaluations(tenant, condition, times, stop);
  } catch (err) {
    if (!stop.aborted) throw err;
    throw new PreviewTooLargeError(
      `the preview's range query took longer than ${budget.budgetMs / 1000} s: shorten the range or raise the interval`,
    );
  }
}
