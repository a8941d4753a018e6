import { compileAnchored, type AnchoredRegex } from './regex.js';
import { getLabel, type Labels } from './labels.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
}

export interface CompiledMatcher extends LabelMatcher {
  matches(value: string): boolean;
}

/** Compiles a matcher; an invalid regex throws Go's "error parsing regexp: …" message. */
export function compileMatcher(m: LabelMatcher): CompiledMatcher {
  let re: AnchoredRegex | undefined;
  if (m.type === '=~' || m.type === '!~') re = compileAnchored(m.value);
  const matches =
    m.type === '='
      ? (v: string) => v === m.value
      : m.type === '!='
        ? (v: string) => v !== m.value
        : m.type === '=~'
          ? (v: string) => re!.matches(v)
          : (v: string) => !re!.matches(v);
  return { type: m.type, name: m.name, value: m.value, matches };
}

/** A missing label matches as the empty string, as in Prometheus. */
export function seriesMatches(labels: Labels, matchers: readonly CompiledMatcher[]): boolean {
  return matchers.every((m) => m.matches(getLabel(labels, m.name)));
}
