import { RE2JS } from 're2js';

// Go's regexp (RE2) semantics, which Prometheus uses: matchers and label_replace anchor the pattern
// as ^(?:pattern)$, and an invalid pattern fails with Go's wording ("error parsing regexp: …").

export interface AnchoredRegex {
  readonly source: string;
  matches(input: string): boolean;
  /** The capture groups of a full match (index 0 is the whole input), or null. */
  captures(input: string): CaptureMatch | null;
}

export interface CaptureMatch {
  readonly groups: readonly (string | null)[];
  readonly named: Readonly<Record<string, number>>;
}

export function compileAnchored(pattern: string): AnchoredRegex {
  const re = RE2JS.compile(`^(?:${pattern})$`);
  const named = re.namedGroups();
  return {
    source: pattern,
    matches: (input) => re.matches(input),
    captures(input) {
      const m = re.matcher(input);
      if (!m.matches()) return null;
      const groups: (string | null)[] = [];
      for (let i = 0; i <= m.groupCount(); i++) groups.push(m.start(i) < 0 ? null : m.group(i));
      return { groups, named };
    },
  };
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; names take letters, digits and _. */
export function expandTemplate(template: string, match: CaptureMatch): string {
  let out = '';
  let rest = template;
  for (;;) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractReference(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    rest = ref.rest;
    const index = ref.num >= 0 ? ref.num : match.named[ref.name];
    if (index !== undefined && index < match.groups.length) out += match.groups[index] ?? '';
  }
  return out + rest;
}

function extractReference(str: string): { name: string; num: number; rest: string } | null {
  let s = str;
  const brace = s.startsWith('{');
  if (brace) s = s.slice(1);
  let i = 0;
  while (i < s.length && /[\p{L}\p{Nd}_]/u.test(s[i]!)) i++;
  if (i === 0) return null;
  const name = s.slice(0, i);
  if (brace) {
    if (s[i] !== '}') return null;
    i++;
  }
  let num = /^[0-9]+$/.test(name) && name.length <= 8 ? Number(name) : -1;
  if (name.length > 1 && name.startsWith('0')) num = -1;
  return { name, num, rest: s.slice(i) };
}
