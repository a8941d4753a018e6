// Distribution points → per-interval distributions, and exponential-histogram quantiles,
// shared by the metric strategies.
import type { QueryPlan } from '../../planner/query-plan.js';
import {
  expHistogramIncreases,
  expHistogramQuantile,
  knownExtremes,
  mergeExpHistograms,
  type ExpHistogram,
  type ExpHistogramPoint,
} from '../exp-histogram.js';
import { histogramIncreases, type HistogramPoint } from '../metric-math.js';
import type { RawDistributionPoint, RawExpHistogramPoint } from '../metrics.repository.js';
import { DELTA, type MetricRead } from './metric-strategy.js';

/**
 * The plan of distribution points: cumulative series (summaries always) read raw points, or
 * for whole hours and days the points the cumulative rollups kept, reaching back one step
 * for increases; a metric mixing both temporalities reads raw points only.
 */
export async function distributionPointsPlan(read: MetricRead): Promise<QueryPlan> {
  const cumulative = read.type === 'summary' || read.series.every((s) => s.temporality !== DELTA);
  return cumulative ? read.plannedWithLookback() : read.rawWithLookback();
}

/** The q-quantile of exponential histograms together, clamped to the extremes when every one recorded them. */
export function expQuantile(
  q: number,
  histograms: readonly ExpHistogram[],
  extremes: readonly { min: number | null; max: number | null }[],
): number | null {
  const merged = mergeExpHistograms(histograms);
  return merged ? expHistogramQuantile(q, merged, knownExtremes(extremes)) : null;
}

/** Per-interval distributions: cumulative series become increases; delta points are intervals already. */
export function intervals(points: RawDistributionPoint[], windowStartMs: number): HistogramPoint[] {
  if (points.length === 0) return [];
  return points[0]!.temporality === DELTA ? points : histogramIncreases(points, windowStartMs);
}

/** Exponential-histogram intervals: cumulative series become increases; delta points are intervals already. */
export function expIntervals(points: RawExpHistogramPoint[], windowStartMs: number): ExpHistogramPoint[] {
  if (points.length === 0) return [];
  return points[0]!.temporality === DELTA ? points : expHistogramIncreases(points, windowStartMs);
}
