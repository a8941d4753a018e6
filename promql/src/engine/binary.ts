import type { BinaryExpr, BinaryOp, VectorMatching } from '../parser/ast.js';
import { COMPARISON_OPS } from '../parser/ast.js';
import { typeOf } from '../parser/check.js';
import {
  dropMetricName,
  getLabel,
  keepLabels,
  labelsKey,
  labelsKeyFor,
  labelsString,
  METRIC_NAME,
  setLabel,
  withoutLabels,
  type Labels,
} from '../labels.js';
import type { Matrix, Sample, Vector } from '../values.js';
import { executionError } from './errors.js';
import type { Evaluation } from './evaluation.js';

// Binary operators: scalar/scalar, vector/scalar and vector/vector with label matching.

export function evalBinary(ev: Evaluation, e: BinaryExpr): Matrix {
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if (lt === 'scalar' && rt === 'scalar') {
    return ev.rangeEval(null, (v) => [{ metric: [], t: 0, v: scalarBinop(e.op, v[0]![0]!.v, v[1]![0]!.v) }], [
      e.lhs,
      e.rhs,
    ]);
  }
  if (lt === 'vector' && rt === 'vector') {
    const matching = e.matching!;
    const signature = signatureFunction(matching);
    return ev.rangeEval(
      signature,
      (v, h) => {
        const [lhs, rhs] = [v[0]!, v[1]!];
        const [lsig, rsig] = [h[0]!, h[1]!];
        switch (e.op) {
          case 'and':
            return vectorAnd(lhs, rhs, lsig, rsig);
          case 'or':
            return vectorOr(lhs, rhs, lsig, rsig);
          case 'unless':
            return vectorUnless(lhs, rhs, lsig, rsig);
          default:
            return vectorBinop(e.op, lhs, rhs, matching, e.returnBool, lsig, rsig);
        }
      },
      [e.lhs, e.rhs],
    );
  }
  const vectorLeft = lt === 'vector';
  return ev.rangeEval(
    null,
    (v) => {
      const vec = vectorLeft ? v[0]! : v[1]!;
      const scalar = vectorLeft ? v[1]![0]!.v : v[0]![0]!.v;
      return vectorScalarBinop(e.op, vec, scalar, !vectorLeft, e.returnBool);
    },
    [e.lhs, e.rhs],
  );
}

function signatureFunction(m: VectorMatching): (labels: Labels) => string {
  if (m.on) {
    const names = new Set(m.matchingLabels);
    return (labels) => labelsKeyFor(labels, names, true);
  }
  const names = new Set([METRIC_NAME, ...m.matchingLabels]);
  return (labels) => labelsKeyFor(labels, names, false);
}

function vectorAnd(lhs: Vector, rhs: Vector, lsig: string[], rsig: string[]): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rsig);
  return lhs.filter((_, i) => right.has(lsig[i]!));
}

function vectorOr(lhs: Vector, rhs: Vector, lsig: string[], rsig: string[]): Vector {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(lsig);
  return [...lhs, ...rhs.filter((_, i) => !left.has(rsig[i]!))];
}

function vectorUnless(lhs: Vector, rhs: Vector, lsig: string[], rsig: string[]): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rsig);
  return lhs.filter((_, i) => !right.has(lsig[i]!));
}

function vectorBinop(
  op: BinaryOp,
  lhsIn: Vector,
  rhsIn: Vector,
  matching: VectorMatching,
  returnBool: boolean,
  lsigIn: string[],
  rsigIn: string[],
): Vector {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  // One-to-many is computed as many-to-one with the sides swapped.
  const swapped = matching.card === 'one-to-many';
  const [lhs, rhs, lsig, rsig] = swapped ? [rhsIn, lhsIn, rsigIn, lsigIn] : [lhsIn, rhsIn, lsigIn, rsigIn];
  const right = new Map<string, Sample>();
  rhs.forEach((rs, i) => {
    const sig = rsig[i]!;
    const dupl = right.get(sig);
    if (dupl) {
      const oneSide = swapped ? 'left' : 'right';
      const matched = matching.on
        ? keepLabels(rs.metric, new Set(matching.matchingLabels))
        : withoutLabels(rs.metric, new Set(matching.matchingLabels));
      throw executionError(
        `found duplicate series for the match group ${labelsString(matched)} on the ${oneSide} hand-side of the operation: ` +
          `[${labelsString(rs.metric)}, ${labelsString(dupl.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(sig, rs);
  });

  const matched = new Map<string, Set<string> | null>();
  const out: Vector = [];
  lhs.forEach((ls, i) => {
    const sig = lsig[i]!;
    const rs = right.get(sig);
    if (!rs) return;
    const [vl, vr] = swapped ? [rs.v, ls.v] : [ls.v, rs.v];
    const [result, keep] = vectorElemBinop(op, vl, vr);
    let value = result;
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) return;
    let metric = resultMetric(ls.metric, rs.metric, op, matching);
    if (returnBool) metric = dropMetricName(metric);
    if (matching.card === 'one-to-one') {
      if (matched.has(sig))
        throw executionError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matched.set(sig, null);
    } else {
      const insertSig = labelsKey(metric);
      let inserted = matched.get(sig);
      if (!inserted) {
        inserted = new Set();
        matched.set(sig, inserted);
      } else if (inserted.has(insertSig)) {
        throw executionError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      inserted.add(insertSig);
    }
    out.push({ metric, t: 0, v: value });
  });
  return out;
}

function shouldDropMetricName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '^' || op === '%';
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let metric = lhs;
  if (shouldDropMetricName(op)) metric = dropMetricName(metric);
  if (matching.card === 'one-to-one') {
    const names = new Set(matching.matchingLabels);
    metric = matching.on ? keepLabels(metric, names) : withoutLabels(metric, names);
  }
  for (const name of matching.include) metric = setLabel(metric, name, getLabel(rhs, name));
  return metric;
}

function vectorScalarBinop(op: BinaryOp, vec: Vector, scalar: number, swap: boolean, returnBool: boolean): Vector {
  const out: Vector = [];
  for (const s of vec) {
    const [lv, rv] = swap ? [scalar, s.v] : [s.v, scalar];
    let [value, keep] = vectorElemBinop(op, lv, rv);
    // A comparison keeps the vector's value, whichever side the vector is on.
    if (COMPARISON_OPS.has(op) && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    const metric = shouldDropMetricName(op) || returnBool ? dropMetricName(s.metric) : s.metric;
    out.push({ metric, t: s.t, v: value });
  }
  return out;
}

export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  const [v, keep] = vectorElemBinop(op, l, r);
  return COMPARISON_OPS.has(op) ? (keep ? 1 : 0) : v;
}

/** Go's math.Mod: the result has the sign of the dividend (as JS %). */
function vectorElemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '^':
      return [goPow(l, r), true];
    case '%':
      return [l % r, true];
    case 'atan2':
      return [Math.atan2(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    default:
      throw executionError(`operator ${JSON.stringify(op)} not allowed for operations between vectors`);
  }
}

/** Go's math.Pow differs from JS for a base of ±1 with an infinite or NaN exponent. */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}
