import type { Expr } from '../parser/ast.js';

/** The child expressions in Prometheus' parser.Children order. */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'binary':
      return [e.lhs, e.rhs];
    case 'call':
      return [...e.args];
    case 'aggregate':
      return e.param ? [e.expr, e.param] : [e.expr];
    case 'paren':
    case 'unary':
    case 'subquery':
    case 'stepInvariant':
      return [e.expr];
    case 'matrixSelector':
      return [e.selector];
    default:
      return [];
  }
}

/** Depth-first walk handing each node its ancestors, like parser.Inspect. */
export function inspect(e: Expr, visit: (node: Expr, path: readonly Expr[]) => void, path: Expr[] = []): void {
  visit(e, path);
  path.push(e);
  for (const c of childrenOf(e)) inspect(c, visit, path);
  path.pop();
}

export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

/** Parentheses and step-invariant wrappers removed, as the engine unwraps function arguments. */
export function unwrapArgument(e: Expr): Expr {
  let x = unwrapParens(e);
  if (x.kind === 'stepInvariant') x = unwrapParens(x.expr);
  return x;
}
