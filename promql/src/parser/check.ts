import { COMPARISON_OPS, SET_OPS, type Expr, type PositionRange, type ValueType } from './ast.js';
import { ParseError } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { compileMatcher } from '../matchers.js';
import { METRIC_NAME } from '../labels.js';

/** The value type an expression evaluates to. */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'aggregate':
      return 'vector';
    case 'call':
      return FUNCTIONS.get(e.func)?.returnType ?? 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
    case 'stepInvariant':
      return typeOf(e.expr);
  }
}

const DOCUMENTED: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

/**
 * Prometheus 2.42's checkAST: type checks with its messages, and normalises vector matching (set
 * operators become many-to-many; matching is dropped unless both sides are instant vectors).
 */
export function checkExpr(root: Expr, query: string): Expr {
  const fail = (pos: PositionRange, message: string): never => {
    throw new ParseError(pos, message, query);
  };
  const expectType = (e: Expr, want: ValueType, context: string): Expr => {
    const checked = check(e);
    const t = typeOf(checked);
    if (t !== want) fail(e.pos, `expected type ${DOCUMENTED[want]} in ${context}, got ${DOCUMENTED[t]}`);
    return checked;
  };

  function check(e: Expr): Expr {
    switch (e.kind) {
      case 'number':
      case 'string':
        return e;
      case 'paren':
        return { ...e, expr: check(e.expr) };
      case 'stepInvariant':
        return { ...e, expr: check(e.expr) };
      case 'aggregate': {
        const expr = expectType(e.expr, 'vector', 'aggregation expression');
        let param = e.param;
        if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile')
          param = expectType(e.param!, 'scalar', 'aggregation parameter');
        if (e.op === 'count_values') param = expectType(e.param!, 'string', 'aggregation parameter');
        return { ...e, expr, param };
      }
      case 'binary': {
        const lhs = check(e.lhs);
        const rhs = check(e.rhs);
        const lt = typeOf(lhs);
        const rt = typeOf(rhs);
        const isComparison = COMPARISON_OPS.has(e.op);
        const isSet = SET_OPS.has(e.op);
        const opPos = operatorPosition(query, e.lhs.pos.end, e.rhs.pos.start);
        if (e.returnBool && !isComparison) fail(opPos, 'bool modifier can only be used on comparison operators');
        if (isComparison && !e.returnBool && lt === 'scalar' && rt === 'scalar')
          fail(opPos, 'comparisons between scalars must use BOOL modifier');
        let matching = e.matching;
        if (matching && isSet && matching.card === 'one-to-one') matching = { ...matching, card: 'many-to-many' };
        for (const l of matching?.matchingLabels ?? []) {
          if (matching!.on && matching!.include.includes(l))
            fail(opPos, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
        }
        if (lt !== 'scalar' && lt !== 'vector')
          fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
        if (rt !== 'scalar' && rt !== 'vector')
          fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
        if ((lt !== 'vector' || rt !== 'vector') && matching) {
          if (matching.matchingLabels.length > 0) fail(e.pos, 'vector matching only allowed between instant vectors');
          matching = null;
        } else if (matching && isSet) {
          if (matching.card === 'one-to-many' || matching.card === 'many-to-one')
            fail(e.pos, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
          if (matching.card !== 'many-to-many') fail(e.pos, 'set operations must always be many-to-many');
        }
        if ((lt === 'scalar' || rt === 'scalar') && isSet)
          fail(e.pos, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
        return { ...e, lhs, rhs, matching };
      }
      case 'call': {
        const sig = FUNCTIONS.get(e.func);
        if (!sig) return fail(e.pos, `unknown function with name ${JSON.stringify(e.func)}`);
        const nargs = sig.argTypes.length;
        if (sig.variadic === 0) {
          if (nargs !== e.args.length)
            fail(e.pos, `expected ${nargs} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`);
        } else {
          const na = nargs - 1;
          if (na > e.args.length)
            fail(
              e.pos,
              `expected at least ${na} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`,
            );
          else if (sig.variadic > 0 && na + sig.variadic < e.args.length) {
            fail(
              e.pos,
              `expected at most ${na + sig.variadic} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`,
            );
          }
        }
        const args = e.args.map((arg, i) => {
          const want = sig.argTypes[Math.min(i, nargs - 1)]!;
          return expectType(arg, want, `call to function ${JSON.stringify(e.func)}`);
        });
        return { ...e, args };
      }
      case 'unary': {
        const expr = check(e.expr);
        const t = typeOf(expr);
        if (t !== 'scalar' && t !== 'vector')
          fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(DOCUMENTED[t])}`,
          );
        return { ...e, expr };
      }
      case 'subquery': {
        const expr = check(e.expr);
        const t = typeOf(expr);
        if (t !== 'vector') fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        return { ...e, expr };
      }
      case 'matrixSelector':
        return { ...e, selector: check(e.selector) as typeof e.selector };
      case 'vectorSelector': {
        if (e.name !== '') {
          if (e.matchers.slice(0, -1).some((m) => m.name === METRIC_NAME)) {
            const other = e.matchers.find((m) => m.name === METRIC_NAME)!;
            fail(
              e.pos,
              `metric name must not be set twice: ${JSON.stringify(e.name)} or ${JSON.stringify(other.value)}`,
            );
          }
          return e;
        }
        if (!e.matchers.some((m) => !compileMatcher(m).matches('')))
          fail(e.pos, 'vector selector must contain at least one non-empty matcher');
        return e;
      }
    }
  }
  return check(root);
}

/** Where the operator between two operands starts and ends (whitespace trimmed), as Prometheus reports it. */
function operatorPosition(query: string, lhsEnd: number, rhsStart: number): PositionRange {
  let start = lhsEnd;
  while (start < rhsStart && /\s/.test(query[start]!)) start++;
  let end = rhsStart - 1;
  while (end > start && /\s/.test(query[end]!)) end--;
  return { start, end };
}
