// Literal syntax as Prometheus 2.42 reads it: numbers (strconv.ParseInt base 0, then ParseFloat),
// Go-quoted strings, and durations (common/model.ParseDuration).

export function parseNumber(text: string): number {
  const t = text.toLowerCase();
  if (/^[+-]?0x[0-9a-f]+$/.test(t)) return signOf(t) * parseInt(t.replace(/^[+-]/, '').slice(2), 16);
  if (/^[+-]?0[0-7]+$/.test(t)) return signOf(t) * parseInt(t.replace(/^[+-]/, ''), 8);
  const unsigned = t.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return signOf(t) * Infinity;
  if (unsigned === 'nan') return NaN;
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(unsigned)) return signOf(t) * Number(unsigned);
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function signOf(t: string): number {
  return t.startsWith('-') ? -1 : 1;
}

const UNITS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a Prometheus duration; throws Prometheus' messages. */
export function parseDuration(text: string): number {
  if (text === '') throw new Error('empty duration string');
  if (text === '0') return 0;
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  units.forEach((u, i) => {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS[u]!;
  });
  return ms;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Go's strconv.Unquote for "…", '…' and `…` literals (Prometheus allows multi-character '…'). */
export function unquoteString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) throw new Error('invalid syntax');
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") throw new Error('invalid syntax');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote || c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('invalid syntax');
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new Error('invalid syntax');
      const code = parseInt(hex, 16);
      if (e === 'x') out += String.fromCharCode(code);
      else if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new Error('invalid syntax');
      else out += String.fromCodePoint(code);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error('invalid syntax');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw new UnknownEscapeError(e);
  }
  return out;
}

/** The lexer's wording for an escape Go does not know (%#U of the rune). */
export class UnknownEscapeError extends Error {
  constructor(ch: string) {
    const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    super(`unknown escape sequence U+${code} '${ch}'`);
  }
}
