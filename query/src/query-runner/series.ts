// Pure: grouped rows per step → the `{ labels, points }` series of a query result.
import type { QuerySeries } from '@telemetryflow/contract';

export interface GroupedValue {
  bucket: number;
  /** Values of the groupBy labels, in their order. */
  keys: string[];
  value: number | null;
}

/**
 * One series per distinct key tuple (sorted), a point for every step; steps without a
 * row get `empty` (0 for counts, null for ratios and latencies). Without groupBy and
 * without rows there is still one series, so "no data" reads as zeros, not as nothing.
 */
export function assembleSeries(
  groupBy: readonly string[],
  rows: readonly GroupedValue[],
  buckets: readonly number[],
  empty: number | null,
): QuerySeries[] {
  const groups = new Map<string, { keys: string[]; values: Map<number, number | null> }>();
  if (groupBy.length === 0) groups.set('[]', { keys: [], values: new Map() });
  for (const r of rows) {
    const id = JSON.stringify(r.keys);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys: r.keys, values: new Map() }));
    g.values.set(r.bucket, r.value);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      labels: Object.fromEntries(groupBy.map((k, i) => [k, g.keys[i] ?? ''])),
      points: buckets.map((t) => [t, g.values.has(t) ? g.values.get(t)! : empty] as [number, number | null]),
    }));
}
