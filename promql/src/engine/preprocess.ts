import type { Expr } from '../parser/ast.js';

// Prometheus' PreprocessExpr: resolves @ start()/end() to the query's start and end, and wraps the
// parts of the tree that do not change from step to step (because of @) so they are evaluated once.

const AT_MODIFIER_UNSAFE: ReadonlySet<string> = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

export function preprocess(expr: Expr, start: number, end: number): Expr {
  const [out, invariant] = helper(expr, start, end);
  return invariant ? wrap(out) : out;
}

function wrap(e: Expr): Expr {
  return { kind: 'stepInvariant', expr: e, pos: e.pos };
}

function resolveAt<T extends { at: number | null; atPreprocessor: 'start' | 'end' | null }>(
  n: T,
  start: number,
  end: number,
): T {
  if (n.atPreprocessor === 'start') return { ...n, at: start };
  if (n.atPreprocessor === 'end') return { ...n, at: end };
  return n;
}

function helper(e: Expr, start: number, end: number): [Expr, boolean] {
  switch (e.kind) {
    case 'vectorSelector': {
      const n = resolveAt(e, start, end);
      return [n, n.at !== null];
    }
    case 'aggregate': {
      const [inner, inv] = helper(e.expr, start, end);
      // The parameter is not wrapped (Prometheus only looks at the aggregated expression).
      return [{ ...e, expr: inner }, inv];
    }
    case 'binary': {
      const [lhs, l] = helper(e.lhs, start, end);
      const [rhs, r] = helper(e.rhs, start, end);
      if (l && r) return [{ ...e, lhs, rhs }, true];
      return [{ ...e, lhs: l ? wrap(lhs) : lhs, rhs: r ? wrap(rhs) : rhs }, false];
    }
    case 'call': {
      const results = e.args.map((a) => helper(a, start, end));
      const invariant = !AT_MODIFIER_UNSAFE.has(e.func) && results.every(([, inv]) => inv);
      if (invariant) return [{ ...e, args: results.map(([a]) => a) }, true];
      return [{ ...e, args: results.map(([a, inv]) => (inv ? wrap(a) : a)) }, false];
    }
    case 'matrixSelector': {
      const [sel, inv] = helper(e.selector, start, end);
      return [{ ...e, selector: sel as typeof e.selector }, inv];
    }
    case 'subquery': {
      const [inner, inv] = helper(e.expr, start, end);
      const n = resolveAt({ ...e, expr: inv ? wrap(inner) : inner }, start, end);
      return [n, n.at !== null];
    }
    case 'paren':
    case 'unary': {
      const [inner, inv] = helper(e.expr, start, end);
      return [{ ...e, expr: inner }, inv];
    }
    case 'number':
    case 'string':
      return [e, true];
    case 'stepInvariant':
      return [e, true];
  }
}
