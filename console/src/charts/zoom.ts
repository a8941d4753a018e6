/**
 * The time span a drag across a time chart selected (a `brushEnd` event of a `lineX` brush),
 * in whole milliseconds; null for a click or a drag of under a second.
 */
export function zoomRange(event: unknown): [number, number] | null {
  const area = (event as { areas?: { coordRange?: unknown }[] }).areas?.[0];
  const range = area?.coordRange;
  if (!Array.isArray(range) || range.length !== 2) return null;
  const [from, to] = range.map((v) => Math.round(Number(v))) as [number, number];
  return Number.isFinite(from) && Number.isFinite(to) && to - from >= 1000 ? [from, to] : null;
}
