import type { Matcher } from '@telemetryflow/contract';
import { compileMatcher, matchesAll, type CompiledMatcher } from '../routing/label-matchers.js';

export interface ActiveSilence {
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number;
}

const compiled = new WeakMap<readonly Matcher[], CompiledMatcher[]>();

/** Every matcher (`=`, `!=`, `=~`, `!~`) holds for the labels (a missing label equals ""). */
export function matches(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  let c = compiled.get(matchers);
  if (!c) {
    c = matchers.map(compileMatcher);
    compiled.set(matchers, c);
  }
  return matchesAll(c, labels);
}

/** Whether a silence or maintenance window active at `nowMs` covers the labels. */
export function isSilenced(silences: readonly ActiveSilence[], labels: Record<string, string>, nowMs: number): boolean {
  return silences.some((s) => s.startsAtMs <= nowMs && nowMs < s.endsAtMs && matches(s.matchers, labels));
}
