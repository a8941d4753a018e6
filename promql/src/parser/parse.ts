import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { AggregateOp, BinaryOp, Expr, PositionRange, VectorMatching, VectorSelector } from './ast.js';
import { checkExpr } from './check.js';
import { ParseError } from './errors.js';
import { parseDuration, parseNumber, unquoteString, UnknownEscapeError } from './literals.js';
import { firstSyntaxError } from './syntax-errors.js';
import { compileMatcher, type LabelMatcher, type MatchType } from '../matchers.js';
import { METRIC_NAME } from '../labels.js';

/**
 * Parses a PromQL expression with the official grammar into the typed tree, then type-checks it
 * as Prometheus 2.42 does. Throws ParseError with Prometheus' wording.
 */
export function parseExpr(query: string): Expr {
  if (query.replace(/#[^\n]*/g, '').trim() === '')
    throw new ParseError({ start: 0, end: 0 }, 'no expression found in input', query);
  const tree = parser.parse(withGrammarAliases(query));
  const syntaxError = firstSyntaxError(tree, query);
  if (syntaxError) throw syntaxError;
  const top = tree.topNode.firstChild;
  if (!top) throw new ParseError({ start: 0, end: 0 }, 'no expression found in input', query);
  const expr = new TreeConverter(query).expr(top);
  return checkExpr(expr, query);
}

// Functions of Prometheus 2.42 that the current grammar no longer names, parsed as a function of
// the same length and shape; the converter reads names from the original text.
const GRAMMAR_ALIASES: Record<string, string> = { holt_winters: 'day_of_month' };

function withGrammarAliases(query: string): string {
  return query.replace(/\b(holt_winters)(?=\s*\()/g, (name) => GRAMMAR_ALIASES[name]!);
}

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Gte: '>=',
  Gtr: '>',
  Lte: '<=',
  Lss: '<',
  Neq: '!=',
  And: 'and',
  Unless: 'unless',
  Or: 'or',
};

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

const AGGREGATE_OPS: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
]);
const AGGREGATES_WITH_PARAM: ReadonlySet<string> = new Set(['topk', 'bottomk', 'count_values', 'quantile']);

class TreeConverter {
  constructor(private readonly query: string) {}

  expr(node: SyntaxNode): Expr {
    switch (node.name) {
      case 'ParenExpr':
        return { kind: 'paren', expr: this.expr(this.exprChildren(node)[0]!), pos: this.pos(node) };
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.number(node), pos: this.pos(node) };
      case 'StringLiteral':
        return { kind: 'string', value: this.string(node), pos: this.pos(node) };
      case 'VectorSelector':
        return this.vectorSelector(node);
      case 'MatrixSelector':
        return this.matrixSelector(node);
      case 'SubqueryExpr':
        return this.subquery(node);
      case 'OffsetExpr':
        return this.offset(node);
      case 'StepInvariantExpr':
        return this.at(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'UnaryExpr':
        return this.unary(node);
      default:
        throw this.error(node, `unexpected ${JSON.stringify(this.text(node))}`);
    }
  }

  private number(node: SyntaxNode): number {
    const text = this.text(node).replace(/\s+/g, '');
    if (/[_]|^[+-]?\d+[a-z]/i.test(text) && !/^[+-]?0x/i.test(text) && !/^[+-]?\d*\.?\d+e[+-]?\d+$/i.test(text)) {
      throw this.error(node, `unexpected duration or number ${JSON.stringify(text)}`);
    }
    try {
      return parseNumber(text);
    } catch (e) {
      throw this.error(node, `error parsing number: ${(e as Error).message}`);
    }
  }

  private string(node: SyntaxNode): string {
    const text = this.text(node);
    try {
      return unquoteString(text);
    } catch (e) {
      if (e instanceof UnknownEscapeError) throw this.error(node, e.message);
      throw this.error(node, `error unquoting string ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  }

  private vectorSelector(node: SyntaxNode): VectorSelector {
    const nameNode = node.getChild('Identifier');
    const name = nameNode ? this.text(nameNode) : '';
    const matchers: LabelMatcher[] = [];
    for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      matchers.push(this.labelMatcher(m));
    }
    const quoted =
      node.getChild('LabelMatchers')?.getChild('QuotedLabelMatcher') ??
      node.getChild('LabelMatchers')?.getChild('QuotedLabelName');
    if (quoted) throw this.error(quoted, `unexpected string ${this.text(quoted.firstChild ?? quoted)}`);
    if (name !== '') matchers.push({ type: '=', name: METRIC_NAME, value: name });
    return { kind: 'vectorSelector', name, matchers, offset: 0, at: null, atPreprocessor: null, pos: this.pos(node) };
  }

  private labelMatcher(node: SyntaxNode): LabelMatcher {
    const name = this.text(node.getChild('LabelName')!);
    const opNode = node.getChild('MatchOp')!.firstChild!;
    const value = this.string(node.getChild('StringLiteral')!);
    const matcher: LabelMatcher = { type: MATCH_OPS[opNode.name]!, name, value };
    try {
      compileMatcher(matcher);
    } catch (e) {
      throw this.error(node, (e as Error).message);
    }
    return matcher;
  }

  private matrixSelector(node: SyntaxNode): Expr {
    const inner = this.expr(this.exprChildren(node)[0]!);
    const durationNode = node.getChild('DurationExpr')!;
    const range = this.duration(durationNode);
    // Prometheus reports these at the opening bracket.
    const bracket = this.query.lastIndexOf('[', durationNode.from);
    const at = (message: string) => new ParseError({ start: bracket, end: node.to }, message, this.query);
    if (inner.kind !== 'vectorSelector') throw at('ranges only allowed for vector selectors');
    if (inner.offset !== 0) throw at('no offset modifiers allowed before range');
    if (inner.at !== null || inner.atPreprocessor !== null) throw at('no @ modifiers allowed before range');
    return { kind: 'matrixSelector', selector: inner, range, pos: this.pos(node) };
  }

  private subquery(node: SyntaxNode): Expr {
    const inner = this.expr(this.exprChildren(node)[0]!);
    const durations = node.getChildren('DurationExpr');
    const range = this.duration(durations[0]!);
    const step = durations[1] ? this.duration(durations[1]) : 0;
    return {
      kind: 'subquery',
      expr: inner,
      range,
      step,
      offset: 0,
      at: null,
      atPreprocessor: null,
      pos: this.pos(node),
    };
  }

  private offset(node: SyntaxNode): Expr {
    const inner = this.expr(this.exprChildren(node)[0]!);
    const durationNode = node.getChild('OffsetDurationExpr')!;
    const sign = durationNode.getChild('UnaryOp');
    if (sign && this.text(sign) !== '-')
      throw this.error(sign, `unexpected ${JSON.stringify(this.text(sign))} in offset`);
    const body = sign ? durationNode.getChild('OffsetDurationExpr')! : durationNode;
    const offset = (sign ? -1 : 1) * this.duration(body);
    const target = inner;
    if (target.kind === 'matrixSelector') {
      if (target.selector.offset !== 0) throw this.error(node, 'offset may not be set multiple times');
      return { ...target, selector: { ...target.selector, offset }, pos: this.pos(node) };
    }
    if (target.kind === 'vectorSelector' || target.kind === 'subquery') {
      if (target.offset !== 0) throw this.error(node, 'offset may not be set multiple times');
      return { ...target, offset, pos: this.pos(node) };
    }
    throw this.error(
      node,
      'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    );
  }

  private at(node: SyntaxNode): Expr {
    const inner = this.expr(this.exprChildren(node)[0]!);
    const pre = node.getChild('AtModifierPreprocessors');
    let at: number | null = null;
    let atPreprocessor: 'start' | 'end' | null = null;
    if (pre) atPreprocessor = pre.firstChild?.name === 'AtStart' ? 'start' : 'end';
    else {
      const seconds = this.number(node.getChild('NumberDurationLiteral')!);
      if (!Number.isFinite(seconds) || Math.abs(seconds) >= 9.223372036854776e18) {
        throw this.error(node, `timestamp out of bounds for @ modifier: ${goFloatPercentF(seconds)}`);
      }
      at = Math.round(seconds * 1000);
    }
    const target = inner;
    const apply = <T extends { at: number | null; atPreprocessor: 'start' | 'end' | null }>(t: T): T => {
      if (t.at !== null || t.atPreprocessor !== null)
        throw this.error(node, '@ <timestamp> may not be set multiple times');
      return { ...t, at, atPreprocessor };
    };
    if (target.kind === 'matrixSelector') return { ...target, selector: apply(target.selector), pos: this.pos(node) };
    if (target.kind === 'vectorSelector' || target.kind === 'subquery')
      return { ...apply(target), pos: this.pos(node) };
    throw this.error(
      node,
      '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    );
  }

  private call(node: SyntaxNode): Expr {
    const name = this.text(node.getChild('FunctionIdentifier')!);
    const args = this.exprChildren(node.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    return { kind: 'call', func: name, args, pos: this.pos(node) };
  }

  private aggregate(node: SyntaxNode): Expr {
    const op = this.text(node.getChild('AggregateOp')!).toLowerCase();
    if (!AGGREGATE_OPS.has(op)) throw this.error(node, `unknown aggregation operator ${JSON.stringify(op)}`);
    const modifier = node.getChild('AggregateModifier');
    const grouping = modifier ? this.groupingLabels(modifier.getChild('GroupingLabels')!) : [];
    const without = modifier !== null && modifier.getChild('Without') !== null;
    const args = this.exprChildren(node.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    if (args.length === 0) throw this.error(node, 'no arguments for aggregate expression provided');
    const desired = AGGREGATES_WITH_PARAM.has(op) ? 2 : 1;
    if (args.length !== desired) {
      throw this.error(
        node,
        `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`,
      );
    }
    return {
      kind: 'aggregate',
      op: op as AggregateOp,
      expr: args[desired - 1]!,
      param: desired === 2 ? args[0]! : null,
      grouping,
      without,
      pos: this.pos(node),
    };
  }

  private binary(node: SyntaxNode): Expr {
    const [lhsNode, rhsNode] = this.exprChildren(node);
    let opNode = lhsNode!.nextSibling!;
    while (!(opNode.name in BINARY_OPS)) opNode = opNode.nextSibling!;
    if (node.getChild('FillModifier')) throw this.error(node.getChild('FillModifier')!, 'unexpected fill modifier');
    const op = BINARY_OPS[opNode.name]!;
    const lhs = this.expr(lhsNode!);
    const rhs = this.expr(rhsNode!);
    const returnBool = node.getChild('BoolModifier') !== null;
    const matching = this.matching(node.getChild('MatchingModifierClause'));
    // The grammar reads "-1 ^ 2" as (-1)^2; Prometheus gives unary minus the lower precedence of "*".
    if (op === '^' && lhs.kind === 'number' && /^[+-]/.test(this.text(lhsNode!))) {
      const sign = this.text(lhsNode!)[0] as '-' | '+';
      const unsigned = { ...lhs, value: sign === '-' ? -lhs.value : lhs.value };
      const pow: Expr = { kind: 'binary', op, lhs: unsigned, rhs, returnBool, matching, pos: this.pos(node) };
      return sign === '-' ? { kind: 'unary', op: '-', expr: pow, pos: this.pos(node) } : pow;
    }
    return { kind: 'binary', op, lhs, rhs, returnBool, matching, pos: this.pos(node) };
  }

  private matching(clause: SyntaxNode | null): VectorMatching {
    if (!clause) return { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
    const labelLists = clause.getChildren('GroupingLabels');
    const on = clause.getChild('On') !== null;
    const matchingLabels = this.groupingLabels(labelLists[0]!);
    const include = labelLists[1] ? this.groupingLabels(labelLists[1]) : [];
    const card = clause.getChild('GroupLeft')
      ? 'many-to-one'
      : clause.getChild('GroupRight')
        ? 'one-to-many'
        : 'one-to-one';
    return { card, matchingLabels, on, include };
  }

  private groupingLabels(node: SyntaxNode): string[] {
    const quoted = node.getChild('QuotedLabelName');
    if (quoted) throw this.error(quoted, `unexpected string ${this.text(quoted)} in grouping opts, expected label`);
    return node.getChildren('LabelName').map((n) => this.text(n));
  }

  private unary(node: SyntaxNode): Expr {
    const op = this.text(node.getChild('UnaryOp')!) as '-' | '+';
    const inner = this.expr(this.exprChildren(node)[0]!);
    if (inner.kind === 'number')
      return { ...inner, value: op === '-' ? -inner.value : inner.value, pos: this.pos(node) };
    return { kind: 'unary', op, expr: inner, pos: this.pos(node) };
  }

  private duration(node: SyntaxNode): number {
    const literal = node.firstChild;
    if (!literal || literal.name !== 'NumberDurationLiteralInDurationContext' || literal.nextSibling) {
      throw this.error(node, `unexpected ${JSON.stringify(this.text(node))} in duration`);
    }
    const text = this.text(literal);
    if (/^\d+$/.test(text) && text !== '0') throw this.error(node, 'missing unit character in duration');
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch (e) {
      throw this.error(node, (e as Error).message);
    }
    if (ms === 0) throw this.error(node, 'duration must be greater than 0');
    return ms;
  }

  /** The expression children of a node (operators, keywords and modifiers are skipped). */
  private exprChildren(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) if (c.type.is('Expr')) out.push(c);
    return out;
  }

  private text(node: SyntaxNode): string {
    return this.query.slice(node.from, node.to);
  }

  private pos(node: SyntaxNode): PositionRange {
    return { start: node.from, end: node.to };
  }

  private error(node: SyntaxNode, message: string): ParseError {
    return new ParseError(this.pos(node), message, this.query);
  }
}

/** Go's %f of a float64 (6 decimals, +Inf/-Inf/NaN). */
function goFloatPercentF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}
