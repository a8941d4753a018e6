import type { LiveFilter } from '@telemetryflow/contract';
import type { LiveLogRow, LiveSpanRow } from './live-rows.js';

function attributesMatch(want: Record<string, string> | undefined, row: LiveLogRow | LiveSpanRow): boolean {
  if (!want) return true;
  for (const [key, value] of Object.entries(want)) {
    if (row.attributes[key] !== value && row.resource[key] !== value) return false;
  }
  return true;
}

/** Whether a log record passes a live filter (`text` is a case-insensitive substring of the body). Pure. */
export function logMatches(f: LiveFilter, r: LiveLogRow): boolean {
  return (
    (f.service === undefined || r.serviceName === f.service) &&
    (f.minSeverity === undefined || r.severityNumber >= f.minSeverity) &&
    (f.traceId === undefined || r.traceId === f.traceId) &&
    (f.text === undefined || r.body.toLowerCase().includes(f.text.toLowerCase())) &&
    attributesMatch(f.attributes, r)
  );
}

/** Whether a span passes a live filter (`text` is a case-insensitive substring of its name; severity does not apply). Pure. */
export function spanMatches(f: LiveFilter, r: LiveSpanRow): boolean {
  return (
    (f.service === undefined || r.serviceName === f.service) &&
    (f.traceId === undefined || r.traceId === f.traceId) &&
    (f.text === undefined || r.name.toLowerCase().includes(f.text.toLowerCase())) &&
    attributesMatch(f.attributes, r)
  );
}
