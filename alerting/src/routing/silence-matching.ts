// Silences as Alertmanager applies them: an alert is muted while a silence is active
// (startsAt <= now <= endsAt) and every matcher of the silence holds for its labels; the
// matchers take all four operators.
import { compileMatcher, matchesAll, type CompiledMatcher, type LabelMatcher } from './label-matchers.js';

export interface Silence {
  id: string;
  matchers: readonly LabelMatcher[];
  startsAtMs: number;
  endsAtMs: number;
}

export interface CompiledSilence {
  id: string;
  matchers: readonly CompiledMatcher[];
  startsAtMs: number;
  endsAtMs: number;
}

export function compileSilence(s: Silence): CompiledSilence {
  return { ...s, matchers: s.matchers.map(compileMatcher) };
}

export function isSilenceActive(s: Pick<Silence, 'startsAtMs' | 'endsAtMs'>, nowMs: number): boolean {
  return s.startsAtMs <= nowMs && nowMs <= s.endsAtMs;
}

/** The ids of the silences that mute an alert with these labels at `nowMs`. */
export function silencedBy(
  silences: readonly CompiledSilence[],
  labels: Readonly<Record<string, string>>,
  nowMs: number,
): string[] {
  return silences.filter((s) => isSilenceActive(s, nowMs) && matchesAll(s.matchers, labels)).map((s) => s.id);
}
