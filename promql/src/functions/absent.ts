import type { Expr } from '../parser/ast.js';
import { labelsFrom, METRIC_NAME, type Labels } from '../labels.js';
import { unwrapParens } from '../engine/tree.js';
import { vectorArg, type FunctionImpl } from './types.js';

/** absent()'s output labels: the equality matchers of the selector, except the name and repeats. */
export function labelsForAbsent(expr: Expr | null): Labels {
  const sel = expr?.kind === 'vectorSelector' ? expr : expr?.kind === 'matrixSelector' ? expr.selector : null;
  if (!sel) return [];
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (const m of sel.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !seen.has(m.name)) {
      values.set(m.name, m.value);
      seen.add(m.name);
    } else values.delete(m.name);
  }
  return labelsFrom(values);
}

export const absent: FunctionImpl = (input) =>
  vectorArg(input, 0).length > 0 ? [] : [{ metric: labelsForAbsent(unwrapParens(input.args[0]!)), t: 0, v: 1 }];
