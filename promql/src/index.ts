// @telemetryflow/promql: PromQL with Prometheus 2.x semantics over any SeriesSource.

export { parseExpr } from './parser/parse.js';
export { ParseError } from './parser/errors.js';
export { typeOf } from './parser/check.js';
export type * from './parser/ast.js';
export { instantQuery, rangeQuery, type QueryOptions } from './engine/query.js';
export { QueryError, type QueryErrorType } from './engine/errors.js';
export { MemorySeriesSource } from './source/memory-source.js';
export type {
  SeriesSource,
  SelectRequest,
  SelectHints,
  RawSeries,
  PushdownRequest,
  PushedDownSeries,
  AggregationPushdownRequest,
  PushdownAggregation,
} from './source/series-source.js';
export {
  groupLabels as aggregationGroupLabels,
  startSimpleGroup,
  addToSimpleGroup,
  simpleGroupValue,
  type SimpleGroup,
} from './engine/aggregation.js';
export { extrapolate, type RateWindow } from './functions/rate.js';
export { successBody, errorBody, labelsJson, ERROR_STATUS, type ApiErrorType } from './format/api-json.js';
export { formatFloat } from './format/go-float.js';
export { goJsonNumber, goJsonString } from './format/go-json.js';
export {
  labelsFrom,
  compareLabels,
  dropMetricName,
  getLabel,
  isValidLabelName,
  labelsKey,
  METRIC_NAME,
  type Label,
  type Labels,
} from './labels.js';
export { compileMatcher, seriesMatches, type CompiledMatcher, type LabelMatcher, type MatchType } from './matchers.js';
export {
  STALE_NAN,
  isStaleNaN,
  writeStaleNaN,
  type QueryValue,
  type Matrix,
  type Vector,
  type Series,
  type Sample,
  type Point,
} from './values.js';
