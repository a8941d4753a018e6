// Pure: free-text log search. Terms are whole words (`timeout`), "quoted phrases" and
// prefixes (`pay*`); every term must match the body, case-insensitively in Unicode.
import { invalidParameter } from '@telemetryflow/http-kit';
import type { SqlPart } from '../query-runner/filter-sql.js';

export interface TextSearch {
  /** Lower-cased whole tokens. */
  words: string[];
  /** Lower-cased phrases, each of at least two tokens, matched as one run of text. */
  phrases: string[][];
  /** Lower-cased token prefixes. */
  prefixes: string[];
}

const MAX_TERMS = 16;

/**
 * Splits free text into the tokens ClickHouse's `hasToken` / tokenbf index use: runs of
 * ASCII letters and digits (and any non-ASCII characters), lower-cased, de-duplicated.
 */
export function searchWords(q: string): string[] {
  return [...new Set(tokens(q))];
}

function tokens(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^a-z0-9\u0080-\uffff]+/u)
    .filter((w) => w.length > 0);
}

export function parseTextSearch(q: string | undefined, parameter = 'q'): TextSearch {
  const out: TextSearch = { words: [], phrases: [], prefixes: [] };
  if (q === undefined) return out;
  const rest = q.replace(/"([^"]*)"/g, (_m, phrase: string) => {
    const t = tokens(phrase);
    if (t.length === 1) out.words.push(t[0]!);
    else if (t.length > 1) out.phrases.push(t);
    return ' ';
  });
  for (const term of rest.split(/\s+/)) {
    if (term.endsWith('*')) {
      const t = tokens(term.slice(0, -1));
      // "card-decl*": whole tokens, then the last one as a prefix.
      out.words.push(...t.slice(0, -1));
      if (t.length > 0) out.prefixes.push(t[t.length - 1]!);
    } else {
      out.words.push(...tokens(term));
    }
  }
  out.words = [...new Set(out.words)];
  out.prefixes = [...new Set(out.prefixes)];
  if (out.words.length + out.phrases.length + out.prefixes.length > MAX_TERMS)
    throw invalidParameter(parameter, `at most ${MAX_TERMS} search terms`);
  return out;
}

const BODY = 'lowerUTF8(Body)';
/** RE2 class of a character that never belongs to a token. */
const SEPARATOR = '[^a-z0-9\\x{80}-\\x{10ffff}]';

/**
 * Conditions for a search, every value a bound parameter named `<prefix><n>`. Words and
 * the words of phrases use `hasToken` on the expression of the logs' `tokenbf_v1` skip index
 * (granules without the word are skipped); phrases then need the exact run of text, and
 * prefixes a token that starts with them.
 */
export function textSearchConditions(s: TextSearch, prefix: string): SqlPart[] {
  const patterns = [
    ...[...new Set([...s.words, ...s.phrases.flat()])].map((w) => ['hasToken', w] as const),
    ...s.phrases.map((p) => ['match', p.join(`${SEPARATOR}+`)] as const),
    ...s.prefixes.map((p) => ['match', `(^|${SEPARATOR})${p}`] as const),
  ];
  return patterns.map(([fn, value], i) => ({
    sql: `${fn}(${BODY}, {${prefix}${i}:String})`,
    params: { [`${prefix}${i}`]: value },
  }));
}
