import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpr, ParseError, type Expr } from '../src/index.js';

// The typed tree from the official grammar, with Prometheus 2.42's precedence and checks.

/** A compact rendering of a tree to compare shapes. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'vectorSelector':
      return `${e.name || '{}'}${e.offset ? ` offset ${e.offset}` : ''}${e.at !== null ? ` @${e.at}` : ''}${e.atPreprocessor ? ` @${e.atPreprocessor}()` : ''}`;
    case 'matrixSelector':
      return `${shape(e.selector)}[${e.range}]`;
    case 'subquery':
      return `(${shape(e.expr)})[${e.range}:${e.step}]${e.offset ? ` offset ${e.offset}` : ''}`;
    case 'call':
      return `${e.func}(${e.args.map(shape).join(', ')})`;
    case 'aggregate':
      return `${e.op}${e.grouping.length || e.without ? ` ${e.without ? 'without' : 'by'}(${e.grouping.join(',')})` : ''}(${e.param ? shape(e.param) + ', ' : ''}${shape(e.expr)})`;
    case 'binary': {
      const m = e.matching;
      const mod =
        m && (m.matchingLabels.length || m.card === 'many-to-one' || m.card === 'one-to-many')
          ? ` ${m.on ? 'on' : 'ignoring'}(${m.matchingLabels.join(',')}) ${m.card}(${m.include.join(',')})`
          : '';
      return `(${shape(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${mod} ${shape(e.rhs)})`;
    }
    case 'unary':
      return `${e.op}${shape(e.expr)}`;
    case 'paren':
      return `(${shape(e.expr)})`;
    case 'stepInvariant':
      return `inv(${shape(e.expr)})`;
  }
}

test('operators bind as in Prometheus: unary minus below ^, ^ right-associative, and before or', () => {
  assert.equal(shape(parseExpr('-1 ^ 2')), '-(1 ^ 2)');
  assert.equal(shape(parseExpr('2 ^ 3 ^ 2')), '(2 ^ (3 ^ 2))');
  assert.equal(shape(parseExpr('1 + 2 * 3 % 4')), '(1 + ((2 * 3) % 4))');
  assert.equal(shape(parseExpr('a or b and c unless d')), '(a or ((b and c) unless d))');
  assert.equal(shape(parseExpr('a > bool 1 == 2')), '((a > bool 1) == 2)');
  assert.equal(shape(parseExpr('-a * b')), '(-a * b)');
  assert.equal(shape(parseExpr('- 2')), '-2');
});

test('selectors, ranges, offsets, @ and subqueries', () => {
  assert.equal(shape(parseExpr('foo{a="b", c=~"d|e"}[5m] offset -1h @ 100.5')), 'foo offset -3600000 @100500[300000]');
  assert.equal(shape(parseExpr('rate(foo[1m])[1h:] @ end()')), '(rate(foo[60000]))[3600000:0]');
  assert.equal(
    shape(parseExpr('max_over_time(foo[10m:30s] offset 1m)')),
    'max_over_time((foo)[600000:30000] offset 60000)',
  );
  const sel = parseExpr('foo{a!="b",c!~"d"}');
  assert.deepEqual(sel.kind === 'vectorSelector' && sel.matchers, [
    { type: '!=', name: 'a', value: 'b' },
    { type: '!~', name: 'c', value: 'd' },
    { type: '=', name: '__name__', value: 'foo' },
  ]);
});

test('vector matching: set operators become many-to-many, scalars carry no matching', () => {
  assert.equal(shape(parseExpr('a / on(x, y) group_left(z) b')), '(a / on(x,y) many-to-one(z) b)');
  assert.equal(shape(parseExpr('a - ignoring(x) group_right b')), '(a - ignoring(x) one-to-many() b)');
  assert.equal(shape(parseExpr('a and on(x) b')), '(a and on(x) many-to-many() b)');
  const scalar = parseExpr('a * 2');
  assert.equal(scalar.kind === 'binary' && scalar.matching, null);
});

test('aggregations with by/without before or after the arguments, and holt_winters of 2.42', () => {
  assert.equal(shape(parseExpr('sum by (a, b) (x)')), 'sum by(a,b)(x)');
  assert.equal(shape(parseExpr('topk(3, x) without (c)')), 'topk without(c)(3, x)');
  assert.equal(shape(parseExpr('count_values("v", x)')), 'count_values("v", x)');
  assert.equal(shape(parseExpr('holt_winters(x[5m], 0.5, 0.1)')), 'holt_winters(x[300000], 0.5, 0.1)');
});

test('literals as Prometheus reads them: hex, octal, Inf/NaN, Go string escapes', () => {
  assert.equal(shape(parseExpr('0x3d')), '61');
  assert.equal(shape(parseExpr('010')), '8');
  assert.equal(shape(parseExpr('-Inf')), '-Infinity');
  assert.equal(shape(parseExpr('1.23e-3')), '0.00123');
  assert.equal(shape(parseExpr('"a\\tb\\u00e9\\x41"')), JSON.stringify('a\tbéA'));
  assert.equal(shape(parseExpr("'it\\'s'")), JSON.stringify("it's"));
  assert.equal(shape(parseExpr('`raw\\n`')), JSON.stringify('raw\\n'));
});

test("errors are ParseErrors with Prometheus' position and wording", () => {
  const cases: [string, string][] = [
    ['', '1:1: parse error: no expression found in input'],
    ['1 +', '1:4: parse error: unexpected end of input'],
    ['sum(rate(x[5m])', '1:16: parse error: unclosed left parenthesis'],
    ['x{a="b"', '1:8: parse error: unexpected end of input inside braces'],
    ['{__name__=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['x{__name__="y"}', '1:1: parse error: metric name must not be set twice: "x" or "y"'],
    ['rate(x)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
    ['x[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
    ['1 < 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['nope(x)', '1:1: parse error: unknown function with name "nope"'],
    ['x offset 1m offset 2m', '1:1: parse error: offset may not be set multiple times'],
    ['(x)[5m]', '1:4: parse error: ranges only allowed for vector selectors'],
    ['x[5]', '1:3: parse error: missing unit character in duration'],
    [')', "1:2: parse error: unexpected right parenthesis ')'"],
    ['x[5m', '1:5: parse error: unclosed left bracket'],
    ['foo bar', '1:5: parse error: unexpected identifier "bar"'],
    ['x{a="\\q"}', "1:5: parse error: unknown escape sequence U+0071 'q'"],
    ['x{a=~"("}', '1:3: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
    ['x[0s]', '1:3: parse error: duration must be greater than 0'],
    ['sum(x, y)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
    ['a and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ];
  for (const [query, message] of cases) {
    assert.throws(
      () => parseExpr(query),
      (e: unknown) => e instanceof ParseError && e.message === message,
      `${query} → ${message}`,
    );
  }
});
