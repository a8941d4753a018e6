import type { LabelMatcher } from '../matchers.js';

// The typed syntax tree of a PromQL expression, as Prometheus 2.42's parser builds it.
// Durations and timestamps are milliseconds; positions are offsets into the query string.

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

export type AtPreprocessor = 'start' | 'end';

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
  readonly pos: PositionRange;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly pos: PositionRange;
}

export interface VectorSelector {
  readonly kind: 'vectorSelector';
  readonly name: string;
  /** Every matcher, including the one for the metric name. */
  readonly matchers: readonly LabelMatcher[];
  readonly offset: number;
  /** The @ timestamp in ms, when given as a number. */
  readonly at: number | null;
  readonly atPreprocessor: AtPreprocessor | null;
  readonly pos: PositionRange;
}

export interface MatrixSelector {
  readonly kind: 'matrixSelector';
  readonly selector: VectorSelector;
  readonly range: number;
  readonly pos: PositionRange;
}

export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly range: number;
  /** 0 when the step was left out (the engine then uses its default evaluation interval). */
  readonly step: number;
  readonly offset: number;
  readonly at: number | null;
  readonly atPreprocessor: AtPreprocessor | null;
  readonly pos: PositionRange;
}

export interface Call {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile';

export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param: Expr | null;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PositionRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: Cardinality;
  readonly matchingLabels: readonly string[];
  /** true for on(...), false for ignoring(...) or no clause. */
  readonly on: boolean;
  /** Labels named in group_left(...) / group_right(...). */
  readonly include: readonly string[];
}

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** null unless both sides are instant vectors. */
  readonly matching: VectorMatching | null;
  readonly pos: PositionRange;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export interface ParenExpr {
  readonly kind: 'paren';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

/** Added by the engine's preprocessing around parts that are the same at every step (@ modifier). */
export interface StepInvariantExpr {
  readonly kind: 'stepInvariant';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | StepInvariantExpr;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);
