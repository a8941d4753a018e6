// What the operator modules (selectors, calls, binary operators, aggregations) need of the
// evaluator, so that they depend on this interface and the evaluator on them — not on each other.
import type { Expr } from '../parser/ast.js';
import { labelsKey, type Labels } from '../labels.js';
import type { Matrix, Vector } from '../values.js';
import type { QueryState } from './state.js';

export interface StringValue {
  readonly kind: 'string';
  readonly t: number;
  readonly v: string;
}

export type EvalValue = Matrix | StringValue;

/** Per-step context handed to functions (Prometheus' EvalNodeHelper). */
export interface StepContext {
  ts: number;
}

export type StepFunction<H> = (vectors: Vector[], helpers: H[][], step: StepContext) => Vector;

export interface Evaluation {
  readonly state: QueryState;
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly numSteps: number;
  currentSamples: number;
  checkDone(env?: string): void;
  addSamples(n: number): void;
  evalMatrix(e: Expr): Matrix;
  rangeEval<H>(prep: ((labels: Labels) => H) | null, fn: StepFunction<H>, exprs: readonly (Expr | null)[]): Matrix;
}

export function containsSameLabelset(vec: Vector): boolean {
  if (vec.length <= 1) return false;
  const seen = new Set<string>();
  for (const s of vec) {
    const key = labelsKey(s.metric);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

export function matrixContainsSameLabelset(mat: Matrix): boolean {
  return containsSameLabelset(mat.map((s) => ({ metric: s.metric, t: 0, v: 0 })));
}
