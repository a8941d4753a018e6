import type { Expr } from '../parser/ast.js';
import { inspect } from './tree.js';

// Prometheus applies the @ modifier by rewriting selector offsets relative to an evaluation time
// (setOffsetForAtModifier): offset' = offset + (evalTime - @) - offsets of enclosing subqueries.
// The effective offsets live in a per-query map keyed by node instead of in the tree.

export type OffsetTable = Map<Expr, number>;

export function setOffsetsForAt(evalTime: number, expr: Expr, offsets: OffsetTable): void {
  inspect(expr, (node, path) => {
    if (node.kind === 'vectorSelector' || node.kind === 'subquery') {
      offsets.set(node, offsetFor(evalTime, node.at, node.offset, path));
    }
  });
}

function offsetFor(evalTime: number, at: number | null, originalOffset: number, path: readonly Expr[]): number {
  if (at === null) return originalOffset;
  const times = subqueryTimes(path);
  let subqueryOffset = times.offset;
  if (times.at !== null) subqueryOffset += evalTime - times.at;
  return originalOffset + (evalTime - at) - subqueryOffset;
}

/** Sum of offsets and ranges of the subqueries in a path; an @ on a subquery restarts the sums. */
export function subqueryTimes(path: readonly Expr[]): { offset: number; range: number; at: number | null } {
  let offset = 0;
  let range = 0;
  let at: number | null = null;
  for (const node of path) {
    if (node.kind !== 'subquery') continue;
    offset += node.offset;
    range += node.range;
    if (node.at !== null) {
      offset = node.offset;
      range = node.range;
      at = node.at;
    }
  }
  return { offset, range, at };
}
