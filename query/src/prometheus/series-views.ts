// The Prometheus series a stored series stands for: the catalog's rows in otlp-names' terms.
// Remote-written series are what was written; OTLP series follow the OpenTelemetry
// Prometheus-compatibility rules (otlp-names.ts). Pure.
import {
  prometheusMetadataOf,
  prometheusMetricNames,
  prometheusViewsOf,
  type CatalogSeries,
  type PromMetadata,
  type PromSeriesView,
  type StoredMetric as NamedMetric,
} from './otlp-names.js';
import type { StoredMetric, StoredSeries } from './series-catalog.js';

export type { PromMetadata };
export type SeriesView = PromSeriesView;

function named(m: StoredMetric): NamedMetric {
  return {
    metricName: m.name,
    metricType: m.type,
    unit: m.unit,
    description: m.description,
    temporality: m.temporality,
    isMonotonic: m.monotonic,
    scopeName: m.scopeName,
  };
}

/** Every `__name__` a stored metric answers to. */
export function metricNamesOf(m: StoredMetric): readonly string[] {
  return prometheusMetricNames(named(m));
}

/**
 * The Prometheus series of a stored series. Histogram `bounds` and summary `quantiles` are those
 * its points carry in the range (they live on points, not in the catalog).
 */
export function viewsOf(
  s: StoredSeries,
  bounds: readonly number[] = [],
  quantiles: readonly number[] = [],
): readonly SeriesView[] {
  const series: CatalogSeries = {
    ...named(s),
    scopeVersion: s.scopeVersion,
    resourceAttributes: { ...s.resource },
    attributes: { ...s.attributes },
  };
  return prometheusViewsOf(series, bounds, quantiles);
}

/** Metadata of a stored metric's Prometheus family. */
export function metadataOf(m: StoredMetric): readonly PromMetadata[] {
  const md = prometheusMetadataOf(named(m));
  return md ? [md] : [];
}
