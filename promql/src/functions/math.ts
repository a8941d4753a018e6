import { dropMetricName } from '../labels.js';
import type { Vector } from '../values.js';
import { scalarArg, single, vectorArg, type FunctionImpl, type FunctionInput } from './types.js';

// Element-wise functions of an instant vector; all of them drop the metric name.

function elementWise(f: (v: number) => number): FunctionImpl {
  return (input) => vectorArg(input, 0).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: f(s.v) }));
}

function clamp(input: FunctionInput, min: number, max: number): Vector {
  if (max < min) return [];
  return vectorArg(input, 0).map((s) => ({
    metric: dropMetricName(s.metric),
    t: s.t,
    v: Math.max(min, Math.min(max, s.v)),
  }));
}

export const MATH_FUNCTIONS: Record<string, FunctionImpl> = {
  abs: elementWise(Math.abs),
  ceil: elementWise(Math.ceil),
  floor: elementWise(Math.floor),
  exp: elementWise(Math.exp),
  sqrt: elementWise(Math.sqrt),
  ln: elementWise(Math.log),
  log2: elementWise(Math.log2),
  log10: elementWise(Math.log10),
  sin: elementWise(Math.sin),
  cos: elementWise(Math.cos),
  tan: elementWise(Math.tan),
  asin: elementWise(Math.asin),
  acos: elementWise(Math.acos),
  atan: elementWise(Math.atan),
  sinh: elementWise(Math.sinh),
  cosh: elementWise(Math.cosh),
  tanh: elementWise(Math.tanh),
  asinh: elementWise(Math.asinh),
  acosh: elementWise(Math.acosh),
  atanh: elementWise(Math.atanh),
  rad: elementWise((v) => (v * Math.PI) / 180),
  deg: elementWise((v) => (v * 180) / Math.PI),
  sgn: elementWise((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  clamp: (input) => clamp(input, scalarArg(input, 1), scalarArg(input, 2)),
  clamp_max: (input) =>
    vectorArg(input, 0).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: Math.min(scalarArg(input, 1), s.v),
    })),
  clamp_min: (input) =>
    vectorArg(input, 0).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: Math.max(scalarArg(input, 1), s.v),
    })),
  round: (input) => {
    const toNearest = input.vals.length >= 2 ? scalarArg(input, 1) : 1;
    // Prometheus multiplies by the inverse: fewer floating point surprises; ties round up.
    const inverse = 1 / toNearest;
    return vectorArg(input, 0).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: Math.floor(s.v * inverse + 0.5) / inverse,
    }));
  },
  pi: () => single(Math.PI),
  time: (input) => single(input.ts / 1000),
  vector: (input) => single(scalarArg(input, 0)),
  scalar: (input) => {
    const v = vectorArg(input, 0);
    return single(v.length === 1 ? v[0]!.v : NaN);
  },
  timestamp: (input) => vectorArg(input, 0).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: s.t / 1000 })),
  sort: (input) => [...vectorArg(input, 0)].sort((a, b) => nanLast(a.v, b.v) ?? a.v - b.v),
  sort_desc: (input) => [...vectorArg(input, 0)].sort((a, b) => nanLast(a.v, b.v) ?? b.v - a.v),
};

/** Prometheus sorts NaN last in both directions. */
function nanLast(a: number, b: number): number | null {
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (!aNaN && !bNaN) return null;
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}
