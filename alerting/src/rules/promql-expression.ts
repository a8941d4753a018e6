// What rule validation needs to know of a PromQL condition's expression. Pure.
import { parseExpr, ParseError, typeOf, type Expr } from '@telemetryflow/promql';

/** Prometheus' instant-query lookback: how far an instant selector reaches back for a sample. */
const LOOKBACK_MS = 300_000;

export class PromqlExpressionError extends Error {}

const TYPE_NAMES = { matrix: 'range vector', string: 'string' } as const;

/**
 * The expression's tree, when it parses as Prometheus parses it and evaluates to what an
 * alert rule can use (an instant vector or a scalar); otherwise a PromqlExpressionError with
 * Prometheus' parse message.
 */
export function alertExpression(query: string): Expr {
  let expr: Expr;
  try {
    expr = parseExpr(query);
  } catch (err) {
    if (err instanceof ParseError) throw new PromqlExpressionError(err.message);
    throw err;
  }
  const type = typeOf(expr);
  if (type === 'matrix' || type === 'string')
    throw new PromqlExpressionError(
      `invalid expression type "${TYPE_NAMES[type]}" for an alert rule, must be Scalar or instant Vector`,
    );
  return expr;
}

/**
 * How long a stretch of samples one evaluation of the expression reads: ranges, subquery ranges
 * and offsets add up along each path, an instant selector looks back 5 minutes (an `@` moves
 * the stretch, not its length).
 */
export function readSpanMs(e: Expr): number {
  switch (e.kind) {
    case 'vectorSelector':
      return Math.max(0, LOOKBACK_MS + e.offset);
    case 'matrixSelector':
      return Math.max(0, e.range + e.selector.offset);
    case 'subquery':
      return Math.max(0, e.range + e.offset + readSpanMs(e.expr));
    case 'call':
      return Math.max(0, ...e.args.map(readSpanMs));
    case 'aggregate':
      return Math.max(readSpanMs(e.expr), e.param ? readSpanMs(e.param) : 0);
    case 'binary':
      return Math.max(readSpanMs(e.lhs), readSpanMs(e.rhs));
    case 'unary':
    case 'paren':
    case 'stepInvariant':
      return readSpanMs(e.expr);
    default:
      return 0;
  }
}
