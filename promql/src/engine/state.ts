import type { AggregateExpr, Call, Expr, VectorSelector } from '../parser/ast.js';
import type { PushedDownSeries, RawSeries } from '../source/series-source.js';
import type { OffsetTable } from './at-offsets.js';

export interface EvalLimits {
  readonly lookbackDelta: number;
  readonly maxSamples: number;
  /** Epoch ms after which evaluation stops with a timeout error. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** Step of a subquery written without one (Prometheus: the global evaluation interval, 1m). */
  readonly noStepSubqueryInterval: number;
}

/** Everything one query's evaluation shares: fetched series, effective offsets, limits. */
export interface QueryState {
  readonly limits: EvalLimits;
  readonly offsets: OffsetTable;
  readonly series: Map<VectorSelector, RawSeries[]>;
  readonly pushedDown: Map<Call, PushedDownSeries[]>;
  /** Aggregations the source answered whole (evaluateAggregation). */
  readonly pushedAggregates: Map<AggregateExpr, PushedDownSeries[]>;
}

export function effectiveOffset(state: QueryState, node: Expr & { offset: number }): number {
  return state.offsets.get(node) ?? node.offset;
}
