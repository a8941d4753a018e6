import type { AlertState, NoDataBehaviour } from '@telemetryflow/contract';

/** What one evaluation saw for one group. */
export type Observation = 'breached' | 'ok' | 'nodata';

/** The remembered state of one alert instance (a rule and one group). */
export interface InstanceState {
  groupKey: string;
  labels: Record<string, string>;
  state: AlertState;
  value: number | null;
  /** When the condition started to hold without a break (pending and firing). */
  activeSinceMs: number | null;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  lastEvaluatedAtMs: number;
}

export interface Transition {
  groupKey: string;
  labels: Record<string, string>;
  from: AlertState;
  to: AlertState;
  value: number | null;
  atMs: number;
}

export function initialState(groupKey: string, labels: Record<string, string>, nowMs: number): InstanceState {
  return {
    groupKey,
    labels,
    state: 'inactive',
    value: null,
    activeSinceMs: null,
    firedAtMs: null,
    resolvedAtMs: null,
    lastEvaluatedAtMs: nowMs,
  };
}

/**
 * One step of inactive → pending → firing → resolved. A condition must hold at every
 * evaluation for `forMs` before the alert fires; one evaluation without it during that
 * time sends the instance back to inactive, so flapping inside `for` never fires.
 * No data counts as ok or as breached, or (keep) leaves the state as it was.
 */
export function nextState(
  prev: InstanceState,
  seen: Observation,
  value: number | null,
  rule: { forMs: number; noData: NoDataBehaviour },
  nowMs: number,
): InstanceState {
  const base = { ...prev, value, lastEvaluatedAtMs: nowMs };
  const effective: Observation =
    seen !== 'nodata' ? seen : rule.noData === 'ok' ? 'ok' : rule.noData === 'alerting' ? 'breached' : 'nodata';
  if (effective === 'nodata') return base;
  if (effective === 'breached') {
    if (prev.state === 'firing') return base;
    const activeSinceMs = prev.state === 'pending' ? prev.activeSinceMs! : nowMs;
    if (nowMs - activeSinceMs >= rule.forMs)
      return { ...base, state: 'firing', activeSinceMs, firedAtMs: nowMs, resolvedAtMs: null };
    return { ...base, state: 'pending', activeSinceMs };
  }
  if (prev.state === 'firing') return { ...base, state: 'resolved', activeSinceMs: null, resolvedAtMs: nowMs };
  if (prev.state === 'pending') return { ...base, state: 'inactive', activeSinceMs: null };
  return base;
}
