// Pure: the trace search form's checks, and saved searches as URL queries.
import type { SavedSearchDto } from '@telemetryflow/contract';
import type { RangeSpec } from '../time/time-range.js';
import { presetMs } from '../time/time-range.js';

/** A duration field's text → milliseconds (null when empty), or what is wrong with it. */
export function parseDurationField(text: string): { ms: number | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { ms: null };
  if (!/^\d+(\.\d+)?$/.test(t)) return { error: 'Enter a number of milliseconds, such as 250' };
  return { ms: Number(t) };
}

/** The min and max duration fields: their values, or an error per field. */
export function durationFields(
  min: string,
  max: string,
): { minMs: number | null; maxMs: number | null; errors: { min?: string; max?: string } } {
  const a = parseDurationField(min);
  const b = parseDurationField(max);
  const errors: { min?: string; max?: string } = {};
  if ('error' in a) errors.min = a.error;
  if ('error' in b) errors.max = b.error;
  const minMs = 'ms' in a ? a.ms : null;
  const maxMs = 'ms' in b ? b.ms : null;
  if (minMs !== null && maxMs !== null && maxMs < minMs) errors.max = 'At least the min duration';
  return { minMs, maxMs, errors };
}

/** A trace id as typed (spaces, upper case) → 32 lowercase hex characters, or what is wrong with it. */
export function parseTraceId(text: string): { traceId: string } | { error: string } {
  const t = text.trim().toLowerCase();
  if (t === '') return { error: 'Enter a trace id' };
  if (!/^[0-9a-f]{32}$/.test(t))
    return { error: `A trace id is 32 hexadecimal characters (0–9, a–f); this has ${t.length} characters` };
  if (/^0+$/.test(t)) return { error: 'The all-zero trace id is not a valid trace id' };
  return { traceId: t };
}

const FILTER_KEY = /^(service|operation|status|minDurationMs|maxDurationMs|sort|(attr|resource)\..+)$/;

/** The filters of a trace search URL query (range and view state aside), as a saved search keeps them. */
export function traceFiltersOf(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (FILTER_KEY.test(k) && typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

/** The URL patch that replaces the current filters and range with a saved search's. */
export function savedSearchPatch(
  current: Record<string, unknown>,
  saved: Pick<SavedSearchDto, 'filters' | 'range'>,
): Record<string, string | undefined> {
  const patch: Record<string, string | undefined> = {};
  for (const k of Object.keys(traceFiltersOf(current))) patch[k] = undefined;
  Object.assign(patch, saved.filters);
  return { ...patch, range: saved.range, from: undefined, to: undefined };
}

/** Whether the URL query shows exactly the saved search (its filters and range). */
export function isSavedSearchShown(
  current: Record<string, unknown>,
  spec: RangeSpec,
  saved: Pick<SavedSearchDto, 'filters' | 'range'>,
): boolean {
  if (!('preset' in spec) || spec.preset !== saved.range) return false;
  const shown = traceFiltersOf(current);
  const keys = Object.keys(shown);
  return keys.length === Object.keys(saved.filters).length && keys.every((k) => saved.filters[k] === shown[k]);
}

/**
 * The relative range a saved search keeps: the preset itself, or an absolute window's length
 * in whole days, hours or minutes (at least one minute).
 */
export function relativeRangeOf(spec: RangeSpec): string {
  if ('preset' in spec && presetMs(spec.preset) !== null) return spec.preset;
  if ('preset' in spec) return '1h';
  const minutes = Math.max(1, Math.round((spec.to - spec.from) / 60_000));
  if (minutes % 1440 === 0 && minutes / 1440 <= 9999) return `${minutes / 1440}d`;
  if (minutes % 60 === 0 && minutes / 60 <= 9999) return `${minutes / 60}h`;
  return minutes <= 9999 ? `${minutes}m` : `${Math.min(9999, Math.round(minutes / 1440))}d`;
}
