import type { Expr } from '../parser/ast.js';
import type { Series, Vector } from '../values.js';

/** What a function implementation sees at one step (Prometheus' vals/args/EvalNodeHelper). */
export interface FunctionInput {
  /** The call's arguments as written (string arguments are read from here). */
  readonly args: readonly Expr[];
  /** Evaluated instant-vector and scalar arguments (a scalar is a one-sample vector); null elsewhere. */
  readonly vals: readonly (Vector | null)[];
  /** For range-vector functions: one input series with its samples in the window. */
  readonly series: Series | null;
  /** Range and effective offset of the range argument (ms). */
  readonly range: number;
  readonly offset: number;
  /** The evaluation time of the step (ms). */
  readonly ts: number;
}

/** Range-vector functions return at most one sample whose value is used; others return a vector. */
export type FunctionImpl = (input: FunctionInput) => Vector;

export function scalarArg(input: FunctionInput, index: number): number {
  return input.vals[index]![0]!.v;
}

export function vectorArg(input: FunctionInput, index: number): Vector {
  return input.vals[index] ?? [];
}

export function single(v: number): Vector {
  return [{ metric: [], t: 0, v }];
}
