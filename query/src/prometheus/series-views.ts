// The Prometheus series a stored series stands for. Remote-written series are what was written:
// `__name__` and the labels as sent, one value per point. Pure.
import type { StoredMetric, StoredSeries } from './series-catalog.js';

/** Which stored value gives a Prometheus series its samples. */
export type ViewValue = 'value' | 'count' | 'sum' | { readonly bucket: number } | { readonly quantile: number };

/** One Prometheus series a stored series stands for. */
export interface SeriesView {
  /** Includes `__name__`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: ViewValue;
}

/** Every `__name__` a stored metric answers to. */
export function metricNamesOf(m: StoredMetric): readonly string[] {
  return m.remoteWritten ? [m.name] : [];
}

/**
 * The Prometheus series of a stored series. Histogram `bounds` and summary `quantiles` are those
 * its points carry in the range (they live on points, not in the catalog).
 */
export function viewsOf(
  s: StoredSeries,
  _bounds: readonly number[] = [],
  _quantiles: readonly number[] = [],
): readonly SeriesView[] {
  if (s.remoteWritten) return [{ labels: { ...s.attributes, __name__: s.name }, value: 'value' }];
  return [];
}

/** What `/api/v1/metadata` lists for a metric family. */
export interface PromMetadata {
  readonly family: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  readonly help: string;
  readonly unit: string;
}

/** Metadata of a stored metric's Prometheus families. */
export function metadataOf(m: StoredMetric): readonly PromMetadata[] {
  if (!m.remoteWritten) return [];
  const type = m.type === 'sum' && m.monotonic ? 'counter' : 'gauge';
  return [{ family: m.name, type, help: m.description, unit: m.unit }];
}
