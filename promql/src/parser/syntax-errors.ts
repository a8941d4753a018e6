import type { Tree } from '@lezer/common';
import { ParseError } from './errors.js';

// The grammar recovers from syntax errors by inserting error nodes; the first one becomes the
// error, worded like Prometheus' lexer and parser ("unexpected end of input", "unexpected <item>").

export function firstSyntaxError(tree: Tree, query: string): ParseError | null {
  let at = -1;
  tree.iterate({
    enter(node) {
      if (at >= 0) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at < 0) return null;
  const rest = query.slice(at);
  const skipped = rest.length - rest.trimStart().length;
  const pos = at + skipped;
  if (pos >= query.length)
    return new ParseError({ start: query.length, end: query.length }, unexpectedEnd(query), query);
  if (query[pos] === ')' && unbalancedClose(query.slice(0, pos + 1))) {
    return new ParseError({ start: pos + 1, end: pos + 1 }, "unexpected right parenthesis ')'", query);
  }
  const call = /([a-zA-Z_:][\w:]*)\s*$/.exec(query.slice(0, pos));
  if (call && query[pos] === '(') {
    // An identifier before "(" that the grammar does not know as a function.
    const start = pos - call[0].length;
    return new ParseError(
      { start, end: start + call[1]!.length },
      `unknown function with name ${JSON.stringify(call[1])}`,
      query,
    );
  }
  return new ParseError({ start: pos, end: pos + 1 }, `unexpected ${describeToken(query.slice(pos))}`, query);
}

function unbalancedClose(prefix: string): boolean {
  let depth = 0;
  for (const c of stripLiterals(prefix)) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return depth < 0;
}

function stripLiterals(query: string): string {
  return query.replace(/"([^"\\]|\\.)*"|'([^'\\]|\\.)*'|`[^`]*`|#[^\n]*/g, '');
}

/** Prometheus' lexer at the end of input: inside braces, in an open parenthesis or bracket. */
function unexpectedEnd(query: string): string {
  let parens = 0;
  let brackets = 0;
  let braces = 0;
  for (const c of stripLiterals(query)) {
    if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (c === '[') brackets++;
    else if (c === ']') brackets--;
    else if (c === '{') braces++;
    else if (c === '}') braces--;
  }
  if (braces > 0) return 'unexpected end of input inside braces';
  if (parens > 0) return 'unclosed left parenthesis';
  if (brackets > 0) return 'unclosed left bracket';
  return 'unexpected end of input';
}

const TOKENS: [RegExp, (t: string) => string][] = [
  [/^(\d[\w.]*|\.\d[\w.]*)/, (t) => `number "${t}"`],
  [/^[a-zA-Z_:][\w:]*/, (t) => `identifier "${t}"`],
  [/^("([^"\\\n]|\\.)*"?|'([^'\\\n]|\\.)*'?|`[^`]*`?)/, (t) => `string ${JSON.stringify(t)}`],
  [/^\(/, () => `left parenthesis "("`],
  [/^\)/, () => `right parenthesis ")"`],
  [/^\{/, () => `left brace "{"`],
  [/^\}/, () => `right brace "}"`],
  [/^\[/, () => `left bracket "["`],
  [/^\]/, () => `right bracket "]"`],
  [/^,/, () => `comma ","`],
  [/^=~|^!~|^==|^!=|^>=|^<=|^[=<>+\-*/%^@:]/, (t) => `character "${t}"`],
];

function describeToken(text: string): string {
  for (const [re, describe] of TOKENS) {
    const m = re.exec(text);
    if (m) return describe(m[0]);
  }
  return `character "${[...text][0]}"`;
}
