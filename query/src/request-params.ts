// Pure parsers for query-string and body parameters. Each throws a 400 ApiError that
// names the parameter, so controllers stay one line and services get typed values.
import { invalidParameter, parseTimeNs } from '@telemetryflow/http-kit';

export type RawParams = Record<string, unknown>;

export interface TimeRange {
  /** Inclusive bounds, nanoseconds since the epoch. */
  fromNs: bigint;
  toNs: bigint;
}

const NS_PER_MS = 1_000_000n;
export const DEFAULT_RANGE_MS = 3_600_000;

function single(params: RawParams, name: string): string | number | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) throw invalidParameter(name, 'must be given once');
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') throw invalidParameter(name, 'must be a string');
  return v;
}

/** Optional trimmed string parameter, bounded in length. */
export function parseString(params: RawParams, name: string, maxLength = 1024): string | undefined {
  const v = single(params, name);
  if (v === undefined) return undefined;
  const s = String(v);
  if (s.length > maxLength) throw invalidParameter(name, `must be at most ${maxLength} characters`);
  return s;
}

/** `from` / `to`; defaults to the hour before now. */
export function parseTimeRange(params: RawParams, nowMs: number = Date.now()): TimeRange {
  const read = (name: string): bigint | undefined => {
    const v = single(params, name);
    if (v === undefined) return undefined;
    const ns = parseTimeNs(v);
    if (ns === undefined) throw invalidParameter(name, 'must be an RFC 3339 time or epoch milliseconds');
    return ns;
  };
  const from = read('from');
  const to = read('to');
  const toNs =
    to ??
    (from !== undefined && from > BigInt(nowMs) * NS_PER_MS
      ? from + BigInt(DEFAULT_RANGE_MS) * NS_PER_MS
      : BigInt(nowMs) * NS_PER_MS);
  const fromNs = from ?? toNs - BigInt(DEFAULT_RANGE_MS) * NS_PER_MS;
  if (fromNs > toNs) throw invalidParameter('from', 'must not be after to');
  return { fromNs: fromNs < 0n ? 0n : fromNs, toNs };
}

/** Optional integer within [min, max]. */
export function parseInteger(params: RawParams, name: string, min: number, max: number): number | undefined {
  const v = single(params, name);
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalidParameter(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/** Optional non-negative number (milliseconds may have fractions). */
export function parseNonNegativeNumber(params: RawParams, name: string): number | undefined {
  const v = single(params, name);
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) throw invalidParameter(name, 'must be a non-negative number');
  return n;
}

export function parseEnum<T extends string>(params: RawParams, name: string, allowed: readonly T[]): T | undefined {
  const v = single(params, name);
  if (v === undefined) return undefined;
  const s = String(v).toLowerCase();
  if (!(allowed as readonly string[]).includes(s)) throw invalidParameter(name, `must be one of ${allowed.join(', ')}`);
  return s as T;
}

/** A lowercase hex id of `bytes` bytes (trace id 16, span id 8). */
export function parseHexId(value: string | undefined, name: string, bytes: number): string {
  if (value === undefined || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    throw invalidParameter(name, `must be ${bytes * 2} hexadecimal characters`);
  }
  return value.toLowerCase();
}

/** Milliseconds → nanoseconds for duration filters. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Steps a default is chosen from: whole hours and days from an hour up, so rollups can answer. */
const NICE_STEPS_S = [60, 300, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];
const MAX_STEPS = 11_000;

/** The default step of aggregate series: the smallest nice step giving at most 120 steps. */
export function niceStepSeconds(rangeSeconds: number): number {
  return NICE_STEPS_S.find((s) => rangeSeconds / s <= 120) ?? Math.ceil(rangeSeconds / 120 / 86_400) * 86_400;
}

/**
 * `stepSeconds` in milliseconds, by default niceStepSeconds of the range. 400 when the
 * range would have more than 11,000 steps.
 */
export function parseStepMs(params: RawParams, range: TimeRange): number {
  const rangeS = Number((range.toNs - range.fromNs) / 1_000_000_000n);
  const stepS = parseInteger(params, 'stepSeconds', 1, 31_536_000) ?? niceStepSeconds(rangeS);
  if (rangeS / stepS > MAX_STEPS)
    throw invalidParameter('stepSeconds', `too small for the range: at most ${MAX_STEPS} steps`);
  return stepS * 1000;
}
