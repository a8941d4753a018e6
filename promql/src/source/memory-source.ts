import { compileMatcher, seriesMatches } from '../matchers.js';
import { compareLabels, labelsFrom, labelsKey, type Labels } from '../labels.js';
import { writeStaleNaN } from '../values.js';
import type { RawSeries, SelectRequest, SeriesSource } from './series-source.js';

interface StoredSeries {
  labels: Labels;
  timestamps: number[];
  // Values are kept in a growable typed array so that stale-marker bits survive.
  values: Float64Array;
  length: number;
}

/**
 * An in-memory series source. Selections come back sorted by labels, as Prometheus' merging
 * querier returns them; samples must be appended in time order per series.
 */
export class MemorySeriesSource implements SeriesSource {
  private readonly series = new Map<string, StoredSeries>();

  /** Returns false for a repeated timestamp (ignored, as the TSDB does for duplicates). */
  append(labels: Labels | Record<string, string>, timestamp: number, value: number): boolean {
    const ls = Array.isArray(labels) ? (labels as Labels) : labelsFrom(labels as Record<string, string>);
    const key = labelsKey(ls);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: ls, timestamps: [], values: new Float64Array(16), length: 0 };
      this.series.set(key, s);
    }
    const last = s.timestamps[s.length - 1];
    if (last !== undefined && timestamp <= last) {
      if (timestamp === last) return false;
      throw new Error(`out of order sample for ${key}: ${timestamp} after ${last}`);
    }
    if (s.length === s.values.length) {
      const grown = new Float64Array(s.values.length * 2);
      grown.set(s.values);
      s.values = grown;
    }
    s.timestamps.push(timestamp);
    s.values[s.length] = value;
    s.length++;
    return true;
  }

  /** Appends a staleness marker, as Prometheus writes one when a series disappears from a scrape. */
  appendStale(labels: Labels | Record<string, string>, timestamp: number): void {
    if (!this.append(labels, timestamp, 0)) return;
    const ls = Array.isArray(labels) ? (labels as Labels) : labelsFrom(labels as Record<string, string>);
    const s = this.series.get(labelsKey(ls))!;
    writeStaleNaN(s.values, s.length - 1);
  }

  async select(request: SelectRequest): Promise<RawSeries[]> {
    const matchers = request.matchers.map(compileMatcher);
    const out: RawSeries[] = [];
    for (const s of this.series.values()) {
      if (!seriesMatches(s.labels, matchers)) continue;
      const from = lowerBound(s.timestamps, s.length, request.start);
      const to = lowerBound(s.timestamps, s.length, request.end + 1);
      if (to <= from) continue;
      out.push({
        labels: s.labels,
        timestamps: Float64Array.from(s.timestamps.slice(from, to)),
        values: s.values.slice(from, to),
      });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }
}

function lowerBound(ts: readonly number[], length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
