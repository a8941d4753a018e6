// Parameters of Prometheus' HTTP API (web/api/v1) as Prometheus 2.42 parses them, with its
// messages: times as Unix seconds or RFC 3339, durations as seconds or Prometheus durations,
// parameters from the query string and from a form-encoded body alike. Pure.
import { parseExpr, ParseError, type LabelMatcher, type VectorSelector } from '@telemetryflow/promql';

/** What a request carries: query string and form body merged, repeated keys as arrays. */
export type ApiParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A `bad_data` error, worded as Prometheus words it. */
export class BadData extends Error {}

/** Query string and form body, merged as Go's `r.Form` merges them (body values first). */
export function mergeParams(query: unknown, body: unknown): ApiParams {
  const out: Record<string, string[]> = {};
  for (const source of [body, query]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      const values = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
      (out[k] ??= []).push(...values);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

/** The first value of a parameter (Go's `r.FormValue`). */
export function param(params: ApiParams, name: string): string | undefined {
  const v = params[name];
  return typeof v === 'string' ? v : v?.[0];
}

export function params(params: ApiParams, name: string): readonly string[] {
  const v = params[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

// Prometheus' minTime / maxTime as clients send them (time.Time.Format(RFC3339Nano)).
export const MIN_TIME_TEXT = '-292273086-05-16T16:47:06Z';
export const MAX_TIME_TEXT = '292277025-08-18T07:12:54.999999999Z';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A timestamp in ms; `undefined` for Prometheus' min/max time strings (no bound). */
export function parseTime(name: string, s: string): number | undefined {
  if (s === MIN_TIME_TEXT || s === MAX_TIME_TEXT) return undefined;
  const n = Number(s);
  if (s.trim() !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) && Number.isFinite(n)) {
    // Go: seconds and the fraction rounded to the millisecond.
    const whole = Math.trunc(n);
    return whole * 1000 + Math.round((n - whole) * 1000);
  }
  const m = RFC3339.exec(s);
  if (m) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) {
      // Date.parse keeps milliseconds; Go's timestamp.FromTime truncates nanoseconds to them too.
      return ms;
    }
  }
  throw new BadData(`invalid parameter "${name}": cannot parse "${s}" to a valid timestamp`);
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

/** A duration in ms: seconds as a float, or a Prometheus duration (`1m30s`). */
export function parseDuration(name: string, s: string): number {
  const trimmed = s.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    const seconds = Number(trimmed);
    const ms = seconds * 1000;
    if (!Number.isFinite(ms) || Math.abs(seconds * 1e9) >= 2 ** 63)
      throw new BadData(`invalid parameter "${name}": cannot parse "${s}" to a valid duration. It overflows int64`);
    return Math.round(ms);
  }
  const m = s === '' || s === '0' ? null : DURATION.exec(s);
  if (m) {
    const parts = [
      [m[2], 'y'],
      [m[4], 'w'],
      [m[6], 'd'],
      [m[8], 'h'],
      [m[10], 'm'],
      [m[12], 's'],
      [m[14], 'ms'],
    ] as const;
    return parts.reduce((sum, [n, unit]) => sum + (n === undefined ? 0 : Number(n) * UNITS[unit]!), 0);
  }
  throw new BadData(`invalid parameter "${name}": cannot parse "${s}" to a valid duration`);
}

/** A time parameter with a default when absent or empty. */
export function timeParam(p: ApiParams, name: string, fallback: number): number {
  const s = param(p, name);
  if (s === undefined || s === '') return fallback;
  return parseTime(name, s) ?? fallback;
}

/** Bounds of series/labels look-ups: absent, empty or min/max time means unbounded (the caller's widest). */
export function lookupRange(p: ApiParams, widest: { start: number; end: number }): { start: number; end: number } {
  const start = Math.max(timeParam(p, 'start', widest.start), widest.start);
  const end = Math.min(timeParam(p, 'end', widest.end), widest.end);
  if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
  return { start, end };
}

/** `match[]` selectors as Prometheus parses them (parser.ParseMetricSelector). */
export function parseMatchers(selectors: readonly string[]): LabelMatcher[][] {
  return selectors.map((s) => {
    let expr;
    try {
      expr = parseExpr(s);
    } catch (e) {
      if (e instanceof ParseError) throw new BadData(`invalid parameter "match[]": ${e.message}`);
      throw e;
    }
    if (expr.kind !== 'vectorSelector')
      throw new BadData(
        `invalid parameter "match[]": 1:1: parse error: unexpected expression, expected a vector selector`,
      );
    return [...(expr as VectorSelector).matchers];
  });
}
