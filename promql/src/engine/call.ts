import type { Call, MatrixSelector, SubqueryExpr, VectorSelector } from '../parser/ast.js';
import { dropMetricName } from '../labels.js';
import type { RawSeries } from '../source/series-source.js';
import type { Matrix, Point, Series, Vector } from '../values.js';
import { labelsForAbsent } from '../functions/absent.js';
import { FUNCTION_IMPLS, type FunctionImpl } from '../functions/index.js';
import { executionError, tooManySamples } from './errors.js';
import { matrixContainsSameLabelset, type Evaluation } from './evaluation.js';
import { sampleAt, samplesIn, seriesOf } from './selectors.js';
import { effectiveOffset } from './state.js';
import { unwrapArgument, unwrapParens } from './tree.js';

/** The range argument of a call, either read from storage or computed by a subquery. */
interface RangeArgument {
  readonly series: readonly RawSeries[];
  readonly range: number;
  readonly offset: number;
  readonly selector: VectorSelector | null;
}

export function evalCall(ev: Evaluation, e: Call): Matrix {
  const impl = FUNCTION_IMPLS[e.func];
  if (!impl) throw executionError(`unknown function ${e.func}`);
  const args = e.args.map(unwrapParens);

  if (e.func === 'timestamp') {
    const arg = unwrapArgument(args[0]!);
    if (arg.kind === 'vectorSelector') return timestampOfSelector(ev, e, arg, impl);
  }

  const matrixIndex = args.findIndex((a) => {
    const x = unwrapArgument(a);
    return x.kind === 'matrixSelector' || x.kind === 'subquery';
  });
  if (matrixIndex < 0) {
    return ev.rangeEval(
      null,
      (vals, _h, step) => impl({ args, vals, series: null, range: 0, offset: 0, ts: step.ts }),
      args,
    );
  }

  const pushed = ev.state.pushedDown.get(e);
  if (pushed) {
    const mat = pushed
      .filter((s) => s.points.length > 0)
      .map((s) => ({
        metric: e.func === 'last_over_time' ? s.labels : dropMetricName(s.labels),
        points: s.points.map((p) => ({ t: p.t, v: p.v })),
      }));
    if (matrixContainsSameLabelset(mat)) throw executionError('vector cannot contain metrics with the same labelset');
    return mat;
  }

  const matrixArg = unwrapArgument(args[matrixIndex]!) as MatrixSelector | SubqueryExpr;
  const range = rangeArgument(ev, matrixArg);
  const otherArgs = args.map((a, i) => (i === matrixIndex ? null : ev.evalMatrix(a)));
  const mat: Matrix = [];
  for (const raw of range.series) {
    ev.checkDone();
    const metric = e.func === 'last_over_time' ? raw.labels : dropMetricName(raw.labels);
    const out: Series = { metric, points: [] };
    let step = -1;
    for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
      step++;
      const maxt = ts - range.offset;
      const points = samplesIn(raw, maxt - range.range, maxt);
      if (points.length === 0) continue;
      if (ev.currentSamples + points.length > ev.state.limits.maxSamples) throw tooManySamples();
      const vals = otherArgs.map((m) => (m ? [{ metric: [], t: ts, v: m[0]!.points[step]!.v }] : null));
      const result = impl({
        args,
        vals,
        series: { metric: raw.labels, points },
        range: range.range,
        offset: range.offset,
        ts,
      });
      if (result.length > 0) out.points.push({ t: ts, v: result[0]!.v });
    }
    if (out.points.length === 0) continue;
    if (ev.currentSamples + out.points.length > ev.state.limits.maxSamples) throw tooManySamples();
    ev.currentSamples += out.points.length;
    mat.push(out);
  }

  if (e.func === 'absent_over_time') return absentOverTime(ev, mat, range.selector);
  if (matrixContainsSameLabelset(mat)) throw executionError('vector cannot contain metrics with the same labelset');
  return mat;
}

function rangeArgument(ev: Evaluation, arg: MatrixSelector | SubqueryExpr): RangeArgument {
  if (arg.kind === 'matrixSelector') {
    return {
      series: seriesOf(ev, arg.selector),
      range: arg.range,
      offset: effectiveOffset(ev.state, arg.selector),
      selector: arg.selector,
    };
  }
  // A subquery is evaluated over the whole query range and then read like stored series.
  const mat = ev.evalMatrix(arg);
  const offset = arg.at !== null ? arg.offset + (ev.start - arg.at) : effectiveOffset(ev.state, arg);
  const series = mat.map((s) => ({
    labels: s.metric,
    timestamps: Float64Array.from(s.points, (p) => p.t),
    values: Float64Array.from(s.points, (p) => p.v),
  }));
  return { series, range: arg.range, offset, selector: null };
}

/** timestamp(selector) reports the sample's own time, so it reads the selector step by step. */
function timestampOfSelector(ev: Evaluation, e: Call, sel: VectorSelector, impl: FunctionImpl): Matrix {
  const lookback = ev.state.limits.lookbackDelta;
  return ev.rangeEval(
    null,
    (_v, _h, step) => {
      const offset = sel.at !== null ? step.ts - sel.at : effectiveOffset(ev.state, sel);
      const vec: Vector = [];
      for (const series of seriesOf(ev, sel)) {
        const p: Point | null = sampleAt(series, step.ts - offset, lookback);
        if (!p) continue;
        vec.push({ metric: series.labels, t: p.t, v: p.v });
        ev.addSamples(1);
      }
      return impl({ args: e.args, vals: [vec], series: null, range: 0, offset: 0, ts: step.ts });
    },
    [],
  );
}

function absentOverTime(ev: Evaluation, mat: Matrix, selector: VectorSelector | null): Matrix {
  const steps = ev.numSteps;
  if (mat.some((s) => s.points.length === steps)) return [];
  const found = new Set<number>();
  for (const s of mat) for (const p of s.points) found.add(p.t);
  if (mat.length > 1 && found.size === steps) return [];
  const points: Point[] = [];
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) if (!found.has(ts)) points.push({ t: ts, v: 1 });
  return [{ metric: labelsForAbsent(selector), points }];
}
