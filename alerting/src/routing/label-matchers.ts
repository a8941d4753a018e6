// Label matchers as Alertmanager defines them: `=`, `!=`, `=~`, `!~`, with regular
// expressions in RE2 syntax (Go's regexp) and fully anchored (`^(?:re)$`); a label the
// alert does not have is the empty string.
import { RE2JS } from 're2js';
import { z } from 'zod';

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

function regexError(pattern: string): string | null {
  try {
    RE2JS.compile(`^(?:${pattern})$`);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export const LabelMatcherSchema = z
  .object({
    label: z.string().min(1).max(200),
    op: z.enum(MATCH_OPS).default('='),
    value: z.string().max(1000),
  })
  .superRefine((m, ctx) => {
    const error = m.op === '=~' || m.op === '!~' ? regexError(m.value) : null;
    if (error !== null)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `not a valid RE2 regular expression: ${error}` });
  });
export type LabelMatcher = z.infer<typeof LabelMatcherSchema>;

export interface CompiledMatcher extends LabelMatcher {
  matches(value: string): boolean;
}

export function compileMatcher(m: LabelMatcher): CompiledMatcher {
  if (m.op === '=' || m.op === '!=') {
    const equal = m.op === '=';
    return { ...m, matches: (v) => (v === m.value) === equal };
  }
  const re = RE2JS.compile(`^(?:${m.value})$`);
  const positive = m.op === '=~';
  return { ...m, matches: (v) => re.testExact(v) === positive };
}

/** Every matcher holds for the labels. */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => m.matches(labels[m.label] ?? ''));
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Alertmanager's order: by label, then value, then operator (`=`, `!=`, `=~`, `!~`). */
export function sortMatchers<T extends LabelMatcher>(ms: readonly T[]): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...ms].sort(
    (a, b) => cmp(a.label, b.label) || cmp(a.value, b.value) || MATCH_OPS.indexOf(a.op) - MATCH_OPS.indexOf(b.op),
  );
}

/** `{env="prod",service=~"db|cache"}`, as Alertmanager prints a route's matchers in group keys. */
export function matchersString(ms: readonly LabelMatcher[]): string {
  return `{${sortMatchers(ms)
    .map((m) => `${m.label}${m.op}"${escapeValue(m.value)}"`)
    .join(',')}}`;
}
