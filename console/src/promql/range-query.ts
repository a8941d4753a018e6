import type { QueryResult } from '@telemetryflow/contract';
import { queryRange } from '../api/prometheus.js';
import type { TimeWindow } from '../time/time-range.js';
import { matrixSeries } from './promql-series.js';
import { rangeQueryWindow } from './promql-step.js';

/**
 * A PromQL expression over a time window as the query API's result shape (labels and points per
 * series), so the panel charts draw it: about a point per pixel of `widthPx`, at least `minStep` s.
 */
export async function promqlRangeResult(
  expr: string,
  window: TimeWindow,
  widthPx: number,
  minStep?: number,
): Promise<QueryResult> {
  const range = rangeQueryWindow(window, widthPx, minStep);
  const { data } = await queryRange(expr, range);
  if (data.resultType !== 'matrix') return { series: [] };
  return { series: matrixSeries(data.result, range).map(({ labels, points }) => ({ labels, points })) };
}
