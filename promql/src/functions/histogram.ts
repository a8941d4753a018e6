import { BUCKET_LABEL, getLabel, labelsKeyFor, METRIC_NAME, withoutLabels, type Labels } from '../labels.js';
import type { Vector } from '../values.js';
import { bucketQuantile, type Bucket } from './quantile.js';
import { scalarArg, vectorArg, type FunctionImpl } from './types.js';

// histogram_quantile over classic histograms: series grouped by all labels but `le`, each group's
// buckets interpolated. Native histograms do not exist in this engine, so the native-only
// functions return nothing for float samples, as Prometheus does.

const LE = new Set([BUCKET_LABEL]);
const NAME_AND_LE = new Set([METRIC_NAME, BUCKET_LABEL]);

/** Go's strconv.ParseFloat for bucket bounds; null where Go fails. */
export function parseBucketBound(text: string): number | null {
  const t = text.trim() === text ? text.toLowerCase() : '';
  const unsigned = t.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return t.startsWith('-') ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  return null;
}

const histogramQuantile: FunctionImpl = (input) => {
  const q = scalarArg(input, 0);
  const groups = new Map<string, { metric: Labels; buckets: Bucket[] }>();
  for (const s of vectorArg(input, 1)) {
    const upperBound = parseBucketBound(getLabel(s.metric, BUCKET_LABEL));
    if (upperBound === null) continue;
    const key = labelsKeyFor(s.metric, LE, false);
    let group = groups.get(key);
    if (!group) {
      group = { metric: withoutLabels(s.metric, NAME_AND_LE), buckets: [] };
      groups.set(key, group);
    }
    group.buckets.push({ upperBound, count: s.v });
  }
  const out: Vector = [];
  for (const g of groups.values()) out.push({ metric: g.metric, t: 0, v: bucketQuantile(q, g.buckets) });
  return out;
};

export const HISTOGRAM_FUNCTIONS: Record<string, FunctionImpl> = {
  histogram_quantile: histogramQuantile,
  histogram_count: () => [],
  histogram_sum: () => [],
  histogram_fraction: () => [],
};
