import type { Expr } from '../parser/ast.js';
import { typeOf } from '../parser/check.js';
import { dropMetricName, labelsKey, type Labels } from '../labels.js';
import type { Matrix, Series, Vector } from '../values.js';
import { evalAggregate } from './aggregation.js';
import { setOffsetsForAt } from './at-offsets.js';
import { evalBinary } from './binary.js';
import { evalCall } from './call.js';
import { canceled, executionError, timedOut, tooManySamples } from './errors.js';
import { evalMatrixSelector, evalVectorSelector } from './selectors.js';
import { effectiveOffset, type QueryState } from './state.js';
import {
  containsSameLabelset,
  matrixContainsSameLabelset,
  type EvalValue,
  type Evaluation,
  type StepContext,
  type StepFunction,
} from './evaluation.js';

/**
 * Evaluates an expression at every step from start to end (inclusive) and returns one series per
 * output label set, exactly as Prometheus' evaluator does: every node yields a matrix over the
 * steps, and operators combine the vectors of one step at a time.
 */
export class Evaluator implements Evaluation {
  currentSamples = 0;

  constructor(
    readonly state: QueryState,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {}

  get numSteps(): number {
    return Math.floor((this.end - this.start) / this.interval) + 1;
  }

  checkDone(env = 'expression evaluation'): void {
    const { signal, deadline } = this.state.limits;
    if (signal?.aborted) throw canceled(env);
    if (Date.now() > deadline) throw timedOut(env);
  }

  addSamples(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.state.limits.maxSamples) throw tooManySamples();
  }

  child(start: number, end: number, interval: number): Evaluator {
    const ev = new Evaluator(this.state, start, end, interval);
    ev.currentSamples = this.currentSamples;
    return ev;
  }

  eval(e: Expr): EvalValue {
    this.checkDone();
    switch (e.kind) {
      case 'aggregate': {
        const pushed = this.state.pushedAggregates.get(e);
        if (!pushed) return evalAggregate(this, e);
        return pushed
          .filter((s) => s.points.length > 0)
          .map((s) => ({ metric: s.labels, points: s.points.map((p) => ({ t: p.t, v: p.v })) }));
      }
      case 'call':
        return evalCall(this, e);
      case 'paren':
        return this.eval(e.expr);
      case 'unary':
        return this.unary(e.op, e.expr);
      case 'binary':
        return evalBinary(this, e);
      case 'number':
        return this.rangeEval(null, () => [{ metric: [], t: 0, v: e.value }], []);
      case 'string':
        return { kind: 'string', t: this.start, v: e.value };
      case 'vectorSelector':
        return evalVectorSelector(this, e);
      case 'matrixSelector':
        if (this.start !== this.end) throw executionError('cannot do range evaluation of matrix selector');
        return evalMatrixSelector(this, e);
      case 'subquery':
        return this.subquery(e);
      case 'stepInvariant':
        return this.stepInvariant(e.expr);
    }
  }

  evalMatrix(e: Expr): Matrix {
    const v = this.eval(e);
    if (!Array.isArray(v)) throw executionError(`unexpected string value for ${typeOf(e)} expression`);
    return v;
  }

  /**
   * Evaluates the expressions over all steps, then calls fn with their vectors at each step and
   * collects the outputs into series. prep computes a per-series helper (grouping key, signature).
   */
  rangeEval<H>(prep: ((labels: Labels) => H) | null, fn: StepFunction<H>, exprs: readonly (Expr | null)[]): Matrix {
    const originalSamples = this.currentSamples;
    const matrices: Matrix[] = exprs.map((e) => (e && typeOf(e) !== 'string' ? this.evalMatrix(e) : []));
    const helpers: H[][] = prep ? matrices.map((m) => m.map((s) => prep(s.metric))) : [];
    const cursors = matrices.map((m) => new Array<number>(m.length).fill(0));
    const output = new Map<string, Series>();
    let tempSamples = this.currentSamples;
    const step: StepContext = { ts: this.start };

    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      this.checkDone();
      this.currentSamples = tempSamples;
      const vectors: Vector[] = [];
      const stepHelpers: H[][] = [];
      matrices.forEach((matrix, i) => {
        const vec: Vector = [];
        const hs: H[] = [];
        matrix.forEach((series, si) => {
          const point = series.points[cursors[i]![si]!];
          if (point && point.t === ts) {
            if (this.currentSamples >= this.state.limits.maxSamples) throw tooManySamples();
            vec.push({ metric: series.metric, t: point.t, v: point.v });
            if (prep) hs.push(helpers[i]![si]!);
            cursors[i]![si]!++;
            this.currentSamples++;
          }
        });
        vectors.push(vec);
        stepHelpers.push(hs);
      });

      step.ts = ts;
      const result = fn(vectors, stepHelpers, step);
      if (containsSameLabelset(result)) throw executionError('vector cannot contain metrics with the same labelset');
      this.currentSamples += result.length;
      tempSamples += result.length;
      if (this.currentSamples > this.state.limits.maxSamples) throw tooManySamples();

      if (this.start === this.end) {
        this.currentSamples = originalSamples + result.length;
        return result.map((s) => ({ metric: s.metric, points: [{ t: ts, v: s.v }] }));
      }
      for (const sample of result) {
        const key = labelsKey(sample.metric);
        let series = output.get(key);
        if (!series) {
          series = { metric: sample.metric, points: [] };
          output.set(key, series);
        }
        series.points.push({ t: ts, v: sample.v });
      }
    }
    const mat = [...output.values()];
    this.currentSamples = originalSamples + totalSamples(mat);
    return mat;
  }

  private unary(op: '-' | '+', expr: Expr): Matrix {
    const mat = this.evalMatrix(expr);
    if (op === '+') return mat;
    const out = mat.map((s) => ({
      metric: dropMetricName(s.metric),
      points: s.points.map((p) => ({ t: p.t, v: -p.v })),
    }));
    if (matrixContainsSameLabelset(out)) throw executionError('vector cannot contain metrics with the same labelset');
    return out;
  }

  private subquery(e: Extract<Expr, { kind: 'subquery' }>): Matrix {
    const offset = effectiveOffset(this.state, e);
    const interval = e.step !== 0 ? e.step : this.state.limits.noStepSubqueryInterval;
    const lowest = this.start - offset - e.range;
    // The first step at or after start - offset - range that is a multiple of the step (Go division truncates).
    let start = interval * Math.trunc(lowest / interval);
    if (start < lowest) start += interval;
    const child = this.child(start, this.end - offset, interval);
    if (start !== this.start) setOffsetsForAt(start, e.expr, this.state.offsets);
    const res = child.evalMatrix(e.expr);
    this.currentSamples = child.currentSamples;
    return res;
  }

  private stepInvariant(expr: Expr): EvalValue {
    if (expr.kind === 'number' || expr.kind === 'string') return this.eval(expr);
    const child = this.child(this.start, this.start, this.interval);
    const res = child.eval(expr);
    this.currentSamples = child.currentSamples;
    // Range selectors keep their own timestamps; instant results are repeated at every step.
    if (!Array.isArray(res) || expr.kind === 'matrixSelector' || expr.kind === 'subquery') return res;
    for (const series of res) {
      const first = series.points[0]!;
      for (let ts = this.start + this.interval; ts <= this.end; ts += this.interval) {
        series.points.push({ t: ts, v: first.v });
        this.addSamples(1);
      }
    }
    return res;
  }
}

function totalSamples(mat: Matrix): number {
  let n = 0;
  for (const s of mat) n += s.points.length;
  return n;
}
