import type { Labels } from '../labels.js';
import type { LabelMatcher } from '../matchers.js';

/**
 * What the engine reads. A source selects series by label matchers for a time range and returns
 * their raw samples; everything else happens in the engine. Stale markers (STALE_NAN) stay in the
 * values with their bits, which is why samples travel in typed arrays.
 */
export interface SeriesSource {
  select(request: SelectRequest, signal: AbortSignal): Promise<RawSeries[]>;
  /**
   * Optional push-down: answer `fn(selector[range] offset o)` at every step of a range query from
   * pre-aggregated or rolled-up data. Return undefined to let the engine compute it from raw samples.
   * Only asked where the answer must equal the raw computation (see PushdownRequest).
   */
  evaluateRangeFunction?(request: PushdownRequest, signal: AbortSignal): Promise<PushedDownSeries[] | undefined>;
  /**
   * Optional push-down of a whole aggregation: `op by|without (grouping) (fn(selector[range] offset o))`
   * at every step of a range query, one series per group labelled as PromQL labels the group
   * (`aggregationGroupLabels`). Asked before evaluateRangeFunction, under the same conditions;
   * undefined lets the engine do it.
   */
  evaluateAggregation?(
    request: AggregationPushdownRequest,
    signal: AbortSignal,
  ): Promise<PushedDownSeries[] | undefined>;
}

/** Aggregations a source may push down: those without a parameter whose result is one value per group. */
export type PushdownAggregation = 'sum' | 'min' | 'max' | 'avg' | 'count' | 'group';

export interface AggregationPushdownRequest extends PushdownRequest {
  readonly op: PushdownAggregation;
  readonly without: boolean;
  readonly grouping: readonly string[];
}

export interface SelectRequest {
  readonly matchers: readonly LabelMatcher[];
  /** Inclusive bounds in ms of the samples the engine will look at. */
  readonly start: number;
  readonly end: number;
  /** Hints as Prometheus' storage.SelectHints gives them: evaluation step, range of a [range] selector,
   *  the function or aggregation that consumes the selector and its grouping. */
  readonly hints: SelectHints;
}

export interface SelectHints {
  readonly step: number;
  readonly range: number;
  readonly func: string;
  readonly by: boolean;
  readonly grouping: readonly string[];
}

export interface RawSeries {
  readonly labels: Labels;
  /** Ascending sample timestamps in ms. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/**
 * `fn(matchers[range] offset offset)` evaluated at start, start+step, …, end (ms). The function is a
 * range-vector function (rate, increase, delta, *_over_time, …). The engine asks only outside
 * subqueries and without an @ modifier, so steps are the query's own.
 */
export interface PushdownRequest {
  readonly fn: string;
  readonly matchers: readonly LabelMatcher[];
  readonly range: number;
  readonly offset: number;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly lookbackDelta: number;
}

/** One input series' results: labels as stored (the engine applies the metric-name rules), one
 *  value per step at which the function has a value. */
export interface PushedDownSeries {
  readonly labels: Labels;
  readonly points: readonly { readonly t: number; readonly v: number }[];
}
