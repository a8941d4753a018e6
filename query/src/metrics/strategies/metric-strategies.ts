// The table of metric strategies: which one answers an aggregation on a metric type.
import type { MetricType } from '@telemetryflow/contract';
import type { PointsPlan } from '../metric-query.js';
import type { SeriesRow } from '../metrics.repository.js';
import { counterStrategy } from './counter.strategy.js';
import {
  deltaDistributionTotalsStrategy,
  deltaExpHistogramQuantileStrategy,
  deltaHistogramQuantileStrategy,
} from './delta-distribution.strategy.js';
import { distributionExtremesStrategy } from './distribution-extremes.strategy.js';
import {
  distributionTotalsStrategy,
  expHistogramQuantileStrategy,
  histogramQuantileStrategy,
} from './distribution-points.strategy.js';
import { DELTA, type MetricStrategy } from './metric-strategy.js';
import { statsStrategy } from './stats.strategy.js';

export type StrategyName =
  PointsPlan | 'delta-histogram-quantile' | 'delta-exp-histogram-quantile' | 'delta-distribution-totals';

export const METRIC_STRATEGIES: Readonly<Record<StrategyName, MetricStrategy>> = {
  stats: statsStrategy,
  counter: counterStrategy,
  'histogram-quantile': histogramQuantileStrategy,
  'exp-histogram-quantile': expHistogramQuantileStrategy,
  'distribution-totals': distributionTotalsStrategy,
  'distribution-extremes': distributionExtremesStrategy,
  'delta-histogram-quantile': deltaHistogramQuantileStrategy,
  'delta-exp-histogram-quantile': deltaExpHistogramQuantileStrategy,
  'delta-distribution-totals': deltaDistributionTotalsStrategy,
};

/**
 * The strategy answering `plan` (planFor) over series of one type, or undefined when the
 * plan is planFor's message for a combination that makes no sense. Delta distributions'
 * points are intervals already: when every series is delta, totals (summaries apart, which
 * are cumulative by definition) and quantiles read rollups summed per step bucket.
 */
export function metricStrategy(
  plan: PointsPlan | string,
  type: MetricType,
  series: readonly SeriesRow[],
): MetricStrategy | undefined {
  const allDelta = series.every((s) => s.temporality === DELTA);
  const name =
    plan === 'distribution-totals' && type !== 'summary' && allDelta
      ? 'delta-distribution-totals'
      : plan === 'histogram-quantile' && allDelta
        ? 'delta-histogram-quantile'
        : plan === 'exp-histogram-quantile' && allDelta
          ? 'delta-exp-histogram-quantile'
          : plan;
  return Object.hasOwn(METRIC_STRATEGIES, name) ? METRIC_STRATEGIES[name as StrategyName] : undefined;
}
