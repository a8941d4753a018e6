/** A resolved time window in epoch milliseconds, as the API's `from` / `to` take it. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** What the URL says: a relative preset (`range=1h`) or an absolute window (`from=&to=`). */
export type RangeSpec = { preset: string } | { from: number; to: number };

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export const RANGE_PRESETS = ['5m', '15m', '1h', '6h', '24h', '7d', '30d'] as const;
export const DEFAULT_PRESET = '1h';

export const REFRESH_INTERVALS = ['off', '10s', '30s', '1m', '5m'] as const;

/** `15m`, `6h`, `7d` → milliseconds; null for anything else. */
export function presetMs(preset: string): number | null {
  const m = /^(\d{1,4})([mhd])$/.exec(preset);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : null;
}

export function presetLabel(preset: string): string {
  const m = /^(\d+)([mhd])$/.exec(preset);
  if (!m) return preset;
  const unit = { m: 'minute', h: 'hour', d: 'day' }[m[2] as 'm' | 'h' | 'd'];
  return `Last ${m[1]} ${unit}${m[1] === '1' ? '' : 's'}`;
}

function epochMs(v: unknown): number | null {
  return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

/** Reads the range from URL query values; anything unreadable falls back to the default preset. */
export function parseRange(query: { range?: unknown; from?: unknown; to?: unknown }): RangeSpec {
  const from = epochMs(query.from);
  const to = epochMs(query.to);
  if (from !== null && to !== null && from < to) return { from, to };
  if (typeof query.range === 'string' && presetMs(query.range) !== null) return { preset: query.range };
  return { preset: DEFAULT_PRESET };
}

/**
 * The URL query that carries a range (the keys of the other form are cleared). The default
 * preset is written too: a range the user picked is never taken for "no range given".
 */
export function rangeQuery(spec: RangeSpec): Record<string, string | undefined> {
  if ('preset' in spec) return { range: spec.preset, from: undefined, to: undefined };
  return { range: undefined, from: String(spec.from), to: String(spec.to) };
}

/** The query keys that hold a range and its auto-refresh. */
const RANGE_KEYS = ['range', 'from', 'to', 'refresh'] as const;

/**
 * The range part of a URL query (`range`, `from`, `to`, `refresh`), or null when it names no
 * range — so the console can carry the range a page showed to the next page.
 */
export function rangeKeysOf(query: Record<string, unknown>): Record<string, string> | null {
  if (typeof query.range !== 'string' && (typeof query.from !== 'string' || typeof query.to !== 'string')) return null;
  const out: Record<string, string> = {};
  for (const k of RANGE_KEYS) if (typeof query[k] === 'string') out[k] = query[k] as string;
  return out;
}

export function resolveRange(spec: RangeSpec, nowMs: number): TimeWindow {
  if ('preset' in spec) return { from: nowMs - (presetMs(spec.preset) ?? presetMs(DEFAULT_PRESET)!), to: nowMs };
  return { from: spec.from, to: spec.to };
}

/** `30s`, `1m` → milliseconds; null for `off` or anything unreadable. */
export function refreshMs(interval: string): number | null {
  const m = /^(\d{1,4})([sm])$/.exec(interval);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 60_000);
}
