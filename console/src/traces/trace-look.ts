import type { KeyValueJson, SpanDto } from '@telemetryflow/contract';
import { anyValueText } from './attribute-text.js';

// Distinct hues readable on light and dark backgrounds; red is left out, it marks errors.
const PALETTE = [
  '#5b8ff9',
  '#5ad8a6',
  '#f6bd16',
  '#6f5ef9',
  '#6dc8ec',
  '#945fb9',
  '#ff9845',
  '#1e9493',
  '#ff99c3',
  '#7c8c2e',
  '#b88a5a',
  '#3f6fb5',
];

/** A service's colour: the same name always gets the same colour, on every trace and page. */
export function serviceColor(service: string): string {
  // FNV-1a: stable across sessions and browsers, unlike an index of first appearance.
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

/** The services of a trace with their span counts, most spans first, then by name. */
export function serviceLegend(spans: readonly SpanDto[]): { service: string; color: string; spans: number }[] {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.serviceName, (counts.get(s.serviceName) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([service, n]) => ({ service, color: serviceColor(service), spans: n }));
}

const attrsMatch = (attrs: readonly KeyValueJson[], q: string) =>
  attrs.some((a) => a.key.toLowerCase().includes(q) || anyValueText(a.value).toLowerCase().includes(q));

/**
 * The spans a search within the trace finds: the text, case-insensitive, in the span's name,
 * service, id, status message, attributes (keys or values), resource or event names and attributes.
 */
export function matchingSpans(spans: readonly SpanDto[], text: string): Set<string> {
  const q = text.trim().toLowerCase();
  const found = new Set<string>();
  if (!q) return found;
  for (const s of spans) {
    if (
      s.name.toLowerCase().includes(q) ||
      s.serviceName.toLowerCase().includes(q) ||
      s.spanId === q ||
      s.status.message.toLowerCase().includes(q) ||
      attrsMatch(s.attributes, q) ||
      attrsMatch(s.resource, q) ||
      s.events.some((e) => e.name.toLowerCase().includes(q) || attrsMatch(e.attributes, q))
    )
      found.add(s.spanId);
  }
  return found;
}

/** The row a key moves the cursor to (arrows, j/k, Home/End), or null when the key does not move it. */
export function cursorStep(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return index < 0 ? 0 : Math.min(index + 1, count - 1);
    case 'ArrowUp':
    case 'k':
      return index < 0 ? 0 : Math.max(index - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
