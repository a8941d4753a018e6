import type { Matcher } from '@telemetryflow/contract';

export interface ActiveSilence {
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number;
}

/** Every matcher holds for the labels (a missing label equals ""). */
export function matches(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => ((labels[m.label] ?? '') === m.value) === (m.op === '='));
}

/** Whether a silence or maintenance window active at `nowMs` covers the labels. */
export function isSilenced(silences: readonly ActiveSilence[], labels: Record<string, string>, nowMs: number): boolean {
  return silences.some((s) => s.startsAtMs <= nowMs && nowMs < s.endsAtMs && matches(s.matchers, labels));
}
