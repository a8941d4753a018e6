import type { AggregateExpr, AggregateOp } from '../parser/ast.js';
import {
  isValidLabelName,
  keepLabels,
  labelsKeyFor,
  METRIC_NAME,
  setLabel,
  withoutLabels,
  type Labels,
} from '../labels.js';
import { formatFloat } from '../format/go-float.js';
import type { Matrix, Sample, Vector } from '../values.js';
import { quantile } from '../functions/quantile.js';
import { executionError } from './errors.js';
import type { Evaluation } from './evaluation.js';
import type { PushdownAggregation } from '../source/series-source.js';
import { byReverseValueLess, byValueLess, heapPop, heapPush, sortReverse } from './go-heap.js';
import { unwrapArgument } from './tree.js';

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  heap: Sample[];
}

/** An aggregation over all steps, grouping series by/without labels (Prometheus' aggregation()). */
export function evalAggregate(ev: Evaluation, e: AggregateExpr): Matrix {
  const grouping = [...e.grouping].sort();
  const groupingSet = new Set(grouping);
  const keyOf = (labels: Labels) => groupingKey(labels, groupingSet, e.without);
  const param = e.param ? unwrapArgument(e.param) : null;
  if (param?.kind === 'string') {
    return ev.rangeEval(keyOf, (v, h) => aggregate(e.op, grouping, e.without, param.value, v[0]!, h[0]!), [e.expr]);
  }
  return ev.rangeEval(
    keyOf,
    (v, h) => {
      const p = e.param ? v[0]![0]!.v : 0;
      return aggregate(e.op, grouping, e.without, p, v[1]!, h[1]!);
    },
    [e.param, e.expr],
  );
}

const NAME = new Set([METRIC_NAME]);

function groupingKey(labels: Labels, grouping: ReadonlySet<string>, without: boolean): string {
  if (without) return labelsKeyFor(labels, new Set([...grouping, METRIC_NAME]), false);
  if (grouping.size === 0) return '';
  return labelsKeyFor(labels, grouping, true);
}

/** The labels of the group a series falls in: `by` keeps the grouping labels, `without` drops them and the name. */
export function groupLabels(metric: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return withoutLabels(withoutLabels(metric, new Set(grouping)), NAME);
  if (grouping.length > 0) return keepLabels(metric, new Set(grouping));
  return [];
}

function aggregate(
  op: AggregateOp,
  groupingIn: readonly string[],
  without: boolean,
  param: number | string,
  vec: Vector,
  keys: string[],
): Vector {
  let grouping = groupingIn;
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    const f = param as number;
    if (!(f <= 9.223372036854776e18 && f >= -9.223372036854776e18))
      throw executionError(`Scalar value ${goPercentV(f)} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const valueLabel = op === 'count_values' ? (param as string) : '';
  let recompute = false;
  if (op === 'count_values') {
    if (!isValidLabelName(valueLabel)) throw executionError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) {
      grouping = [...grouping, valueLabel].sort();
      recompute = true;
    }
  }
  const groupingSet = new Set(grouping);
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];

  vec.forEach((s, si) => {
    let metric = s.metric;
    if (op === 'count_values') {
      metric = setLabel(metric, valueLabel, formatFloat(s.v, 'f'));
      recompute = true;
    }
    const key = recompute ? groupingKey(metric, groupingSet, without) : keys[si]!;
    const group = groups.get(key);
    if (!group) {
      const g: Group = { labels: groupLabels(metric, grouping, without), value: s.v, mean: s.v, count: 1, heap: [] };
      if (op === 'stddev' || op === 'stdvar') g.value = 0;
      else if (op === 'topk' || op === 'bottomk' || op === 'quantile') g.heap = [{ metric: s.metric, t: 0, v: s.v }];
      else if (op === 'group') g.value = 1;
      groups.set(key, g);
      ordered.push(g);
      return;
    }
    accumulate(op, group, s, k);
  });

  const out: Vector = [];
  for (const g of ordered) {
    switch (op) {
      case 'avg':
        g.value = g.mean;
        break;
      case 'count':
      case 'count_values':
        g.value = g.count;
        break;
      case 'stdvar':
        g.value = g.value / g.count;
        break;
      case 'stddev':
        g.value = Math.sqrt(g.value / g.count);
        break;
      case 'quantile':
        g.value = quantile(
          param as number,
          g.heap.map((x) => x.v),
        );
        break;
      case 'topk':
      case 'bottomk':
        if (g.heap.length > 1) sortReverse(g.heap, op === 'topk' ? byValueLess : byReverseValueLess);
        for (const x of g.heap) out.push({ metric: x.metric, t: 0, v: x.v });
        continue;
      default:
        break;
    }
    out.push({ metric: g.labels, t: 0, v: g.value });
  }
  return out;
}

/** A group's running state for the aggregations a source may compute itself (PushdownAggregation). */
export interface SimpleGroup {
  value: number;
  mean: number;
  count: number;
}

/** The state of a group after its first sample (as aggregate() starts one). */
export function startSimpleGroup(op: PushdownAggregation, v: number): SimpleGroup {
  return { value: op === 'group' ? 1 : v, mean: v, count: 1 };
}

/** Adds a later sample to a group, exactly as aggregate() does. */
export function addToSimpleGroup(op: PushdownAggregation, group: SimpleGroup, v: number): void {
  switch (op) {
    case 'sum':
      group.value += v;
      break;
    case 'avg': {
      group.count++;
      const meanInf = !Number.isFinite(group.mean) && !Number.isNaN(group.mean);
      if (meanInf) {
        const vInf = !Number.isFinite(v) && !Number.isNaN(v);
        if (vInf && group.mean > 0 === v > 0) break;
        if (Number.isFinite(v)) break;
      }
      // Divide both terms by the count to avoid overflow.
      group.mean += v / group.count - group.mean / group.count;
      break;
    }
    case 'group':
      break;
    case 'max':
      if (group.value < v || Number.isNaN(group.value)) group.value = v;
      break;
    case 'min':
      if (group.value > v || Number.isNaN(group.value)) group.value = v;
      break;
    case 'count':
      group.count++;
      break;
  }
}

/** A group's value once every sample of the step is in. */
export function simpleGroupValue(op: PushdownAggregation, group: SimpleGroup): number {
  if (op === 'avg') return group.mean;
  if (op === 'count') return group.count;
  return group.value;
}

function accumulate(op: AggregateOp, group: Group, s: Sample, k: number): void {
  switch (op) {
    case 'sum':
    case 'avg':
    case 'group':
    case 'max':
    case 'min':
      addToSimpleGroup(op, group, s.v);
      break;
    case 'count':
    case 'count_values':
      group.count++;
      break;
    case 'stddev':
    case 'stdvar': {
      group.count++;
      const delta = s.v - group.mean;
      group.mean += delta / group.count;
      group.value += delta * (s.v - group.mean);
      break;
    }
    case 'topk':
    case 'bottomk': {
      const less = op === 'topk' ? byValueLess : byReverseValueLess;
      const top = group.heap[0]!;
      const better = op === 'topk' ? top.v < s.v : top.v > s.v;
      if (group.heap.length < k || better || Number.isNaN(top.v)) {
        const x = { metric: s.metric, t: 0, v: s.v };
        if (group.heap.length === k) {
          if (k === 1) {
            group.heap[0] = x;
            break;
          }
          heapPop(group.heap, less);
        }
        heapPush(group.heap, x, less);
      }
      break;
    }
    case 'quantile':
      group.heap.push(s);
      break;
  }
}

/** Go's %v of a float64. */
function goPercentV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return formatFloat(v, 'g');
}
