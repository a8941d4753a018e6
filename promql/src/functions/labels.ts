import type { Expr } from '../parser/ast.js';
import { compileAnchored, expandTemplate, type AnchoredRegex } from '../regex.js';
import { getLabel, isValidLabelName, setLabel } from '../labels.js';
import { executionError } from '../engine/errors.js';
import { unwrapArgument } from '../engine/tree.js';
import { vectorArg, type FunctionImpl } from './types.js';

// label_replace and label_join: the only functions that rewrite labels (and keep the metric name).

function stringArg(args: readonly Expr[], i: number): string {
  const e = unwrapArgument(args[i]!);
  if (e.kind !== 'string') throw executionError(`expected a string literal as argument ${i + 1}`);
  return e.value;
}

const compiled = new WeakMap<readonly Expr[], AnchoredRegex>();

function replaceRegex(args: readonly Expr[]): AnchoredRegex {
  let re = compiled.get(args);
  if (!re) {
    const pattern = stringArg(args, 4);
    try {
      re = compileAnchored(pattern);
    } catch {
      throw executionError(`invalid regular expression in label_replace(): ${pattern}`);
    }
    compiled.set(args, re);
  }
  return re;
}

const labelReplace: FunctionImpl = (input) => {
  const dst = stringArg(input.args, 1);
  const replacement = stringArg(input.args, 2);
  const src = stringArg(input.args, 3);
  const re = replaceRegex(input.args);
  if (!isValidLabelName(dst)) throw executionError(`invalid destination label name in label_replace(): ${dst}`);
  return vectorArg(input, 0).map((s) => {
    const match = re.captures(getLabel(s.metric, src));
    if (!match) return s;
    return { metric: setLabel(s.metric, dst, expandTemplate(replacement, match)), t: s.t, v: s.v };
  });
};

const labelJoin: FunctionImpl = (input) => {
  const dst = stringArg(input.args, 1);
  const separator = stringArg(input.args, 2);
  const sources = input.args.slice(3).map((_, i) => stringArg(input.args, i + 3));
  for (const src of sources) {
    if (!isValidLabelName(src)) throw executionError(`invalid source label name in label_join(): ${src}`);
  }
  if (!isValidLabelName(dst)) throw executionError(`invalid destination label name in label_join(): ${dst}`);
  return vectorArg(input, 0).map((s) => ({
    metric: setLabel(s.metric, dst, sources.map((l) => getLabel(s.metric, l)).join(separator)),
    t: s.t,
    v: s.v,
  }));
};

export const LABEL_FUNCTIONS: Record<string, FunctionImpl> = { label_replace: labelReplace, label_join: labelJoin };
