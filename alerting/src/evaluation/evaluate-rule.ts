import { durationMs, type AlertCondition, type AlertRuleInput } from '@telemetryflow/contract';
import { burnVerdict, type BadRatios } from './burn-rate.js';
import { initialState, nextState, type InstanceState, type Observation, type Transition } from './state-machine.js';
import { breaches } from './threshold.js';

/** What a condition's data source returned for one group at one evaluation. */
export interface GroupSample {
  labels: Record<string, string>;
  /** The measured value; null when the window had no data. */
  value: number | null;
  /** Burn-rate conditions: bad-event ratio per window length (ms). */
  badRatios?: BadRatios;
}

/** A stable key for a group's labels (sorted, so label order never splits a group). */
export function groupKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Whether one sample breaches the condition, and the value an alert reports. `resultEmpty`:
 * the evaluation saw no group at all (a PromQL rule's series that left a non-empty result
 * is simply over, as in Prometheus; only an empty result is no data).
 */
export function observe(
  condition: AlertCondition,
  sample: GroupSample | undefined,
  resultEmpty = sample === undefined,
): { seen: Observation; value: number | null } {
  if (condition.kind === 'promql') {
    if (sample === undefined) return { seen: resultEmpty ? 'nodata' : 'ok', value: null };
    const v = sample.value;
    const value = v !== null && Number.isFinite(v) ? v : null;
    // Without a threshold the expression filters: being in the result is the breach, whatever the value (NaN too).
    if (condition.threshold === undefined) return { seen: 'breached', value };
    return { seen: v !== null && breaches(condition.threshold, v) ? 'breached' : 'ok', value };
  }
  if (condition.kind === 'absence') {
    const n = sample?.value ?? 0;
    return { seen: n === 0 ? 'breached' : 'ok', value: n };
  }
  if (condition.kind === 'monitor' && condition.check === 'down') {
    const value = sample?.value ?? null;
    return value === null ? { seen: 'nodata', value: null } : { seen: value === 1 ? 'breached' : 'ok', value };
  }
  if (condition.kind === 'slo_burn_rate') {
    const verdict = burnVerdict(condition.target, condition.windows, sample?.badRatios ?? new Map());
    return { seen: verdict.breached === null ? 'nodata' : verdict.breached ? 'breached' : 'ok', value: verdict.value };
  }
  const value = sample?.value ?? null;
  if (value === null || !Number.isFinite(value) || condition.threshold === undefined)
    return { seen: 'nodata', value: null };
  return { seen: breaches(condition.threshold, value) ? 'breached' : 'ok', value };
}

export interface RuleEvaluation {
  /** Every instance after this evaluation, by group key. */
  instances: Map<string, InstanceState>;
  transitions: Transition[];
}

/**
 * One evaluation of a rule: each group in `samples` and each group remembered from earlier
 * evaluations steps through the state machine. A remembered group missing from the
 * samples has no data (a PromQL rule's is over, unless no group is left). A rule that saw
 * no group at all evaluates its empty group, so "no data → alerting" also works for rules
 * without group-by. Groups with nothing to say (inactive or resolved, and absent now) are
 * forgotten.
 */
export function evaluateRule(
  rule: AlertRuleInput,
  samples: GroupSample[],
  previous: ReadonlyMap<string, InstanceState>,
  nowMs: number,
): RuleEvaluation {
  const byKey = new Map<string, GroupSample>();
  for (const s of samples) byKey.set(groupKey(s.labels), s);
  const keys = new Set([...byKey.keys(), ...previous.keys()]);
  if (keys.size === 0) keys.add(groupKey({}));
  // An empty PromQL result resolves, as in Prometheus: "keep" would hold `sum(x) > 5` firing forever.
  const noData = rule.condition.kind === 'promql' && rule.noData === 'keep' ? 'ok' : rule.noData;
  const params = { forMs: durationMs(rule.for), noData };
  const instances = new Map<string, InstanceState>();
  const transitions: Transition[] = [];
  for (const key of keys) {
    const sample = byKey.get(key);
    const prev = previous.get(key) ?? initialState(key, sample?.labels ?? {}, nowMs);
    const { seen, value } = observe(rule.condition, sample, samples.length === 0);
    const next = nextState(prev, seen, value, params, nowMs);
    if (next.state !== prev.state)
      transitions.push({ groupKey: key, labels: next.labels, from: prev.state, to: next.state, value, atMs: nowMs });
    const idle = next.state === 'inactive' || next.state === 'resolved';
    if (seen !== 'breached' && idle && sample === undefined && next.state === prev.state) continue;
    instances.set(key, next);
  }
  return { instances, transitions };
}
