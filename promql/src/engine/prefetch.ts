import type { AggregateExpr, Call, Expr, VectorSelector } from '../parser/ast.js';
import type {
  PushdownAggregation,
  PushedDownSeries,
  RawSeries,
  SelectHints,
  SeriesSource,
} from '../source/series-source.js';
import { subqueryTimes } from './at-offsets.js';
import { inspect, unwrapArgument, unwrapParens } from './tree.js';

// Before evaluation, every selector's series are read for the time range it can look at
// (Prometheus' populateSeries / getTimeRangesForSelector), all at once.

export interface QueryWindow {
  readonly start: number;
  readonly end: number;
  /** 0 for an instant query. */
  readonly step: number;
  readonly lookbackDelta: number;
  readonly noStepSubqueryInterval: number;
}

const PUSHDOWN_AGGREGATIONS: ReadonlySet<string> = new Set(['sum', 'min', 'max', 'avg', 'count', 'group']);

/** Range functions a source may answer per step (one matrix argument, nothing else). */
const PUSHDOWN_FUNCTIONS: ReadonlySet<string> = new Set([
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
]);

export async function prefetch(
  source: SeriesSource,
  expr: Expr,
  window: QueryWindow,
  signal: AbortSignal,
): Promise<{
  series: Map<VectorSelector, RawSeries[]>;
  pushedDown: Map<Call, PushedDownSeries[]>;
  pushedAggregates: Map<AggregateExpr, PushedDownSeries[]>;
}> {
  const series = new Map<VectorSelector, RawSeries[]>();
  const pushedDown = new Map<Call, PushedDownSeries[]>();
  const pushedAggregates = new Map<AggregateExpr, PushedDownSeries[]>();
  const reads: Promise<void>[] = [];
  const handled = new Set<VectorSelector>();

  // Whole aggregations first: a call inside an answered one is not asked for again.
  const answeredCalls = new Set<Call>();
  if (source.evaluateAggregation && window.step > 0) {
    const ask = source.evaluateAggregation.bind(source);
    const asks: Promise<void>[] = [];
    inspect(expr, (node, path) => {
      if (node.kind !== 'aggregate' || !PUSHDOWN_AGGREGATIONS.has(node.op) || node.param !== null) return;
      const candidate = pushdownCandidate(unwrapParens(node.expr), path.concat(node));
      if (!candidate) return;
      asks.push(
        (async () => {
          const answer = await ask(
            {
              op: node.op as PushdownAggregation,
              without: node.without,
              grouping: node.grouping,
              fn: candidate.call.func,
              matchers: candidate.selector.matchers,
              range: candidate.range,
              offset: candidate.selector.offset,
              start: window.start,
              end: window.end,
              step: window.step,
              lookbackDelta: window.lookbackDelta,
            },
            signal,
          );
          if (!answer) return;
          pushedAggregates.set(node, answer);
          answeredCalls.add(candidate.call);
          handled.add(candidate.selector);
        })(),
      );
    });
    await Promise.all(asks);
  }

  if (source.evaluateRangeFunction && window.step > 0) {
    const ask = source.evaluateRangeFunction.bind(source);
    inspect(expr, (node, path) => {
      const candidate = pushdownCandidate(node, path);
      if (!candidate || answeredCalls.has(candidate.call)) return;
      handled.add(candidate.selector);
      reads.push(
        (async () => {
          const answer = await ask(
            {
              fn: candidate.call.func,
              matchers: candidate.selector.matchers,
              range: candidate.range,
              offset: candidate.selector.offset,
              start: window.start,
              end: window.end,
              step: window.step,
              lookbackDelta: window.lookbackDelta,
            },
            signal,
          );
          if (answer) pushedDown.set(candidate.call, answer);
          else
            series.set(
              candidate.selector,
              await source.select(
                selectRequest(
                  candidate.selector,
                  path.concat(candidate.call, candidate.matrix),
                  window,
                  candidate.range,
                ),
                signal,
              ),
            );
        })(),
      );
    });
  }

  let range = 0;
  inspect(expr, (node, path) => {
    if (node.kind === 'matrixSelector') range = node.range;
    if (node.kind !== 'vectorSelector') return;
    const selectorRange = range;
    range = 0;
    if (handled.has(node)) return;
    reads.push(
      source.select(selectRequest(node, path, window, selectorRange), signal).then((s) => void series.set(node, s)),
    );
  });
  await Promise.all(reads);
  return { series, pushedDown, pushedAggregates };
}

function selectRequest(node: VectorSelector, path: readonly Expr[], window: QueryWindow, range: number) {
  const [start, end] = timeRangeForSelector(node, path, window, range);
  const hints: SelectHints = {
    step: lastSubqueryStep(path, window),
    range,
    func: functionOf(path),
    ...groupingOf(path),
  };
  return { matchers: node.matchers, start, end, hints };
}

function timeRangeForSelector(
  node: VectorSelector,
  path: readonly Expr[],
  window: QueryWindow,
  range: number,
): [number, number] {
  let start = window.start;
  let end = window.end;
  const subq = subqueryTimes(path);
  if (subq.at !== null) start = end = subq.at;
  if (node.at !== null) start = end = node.at;
  else {
    start -= subq.offset + subq.range;
    end -= subq.offset;
  }
  start -= range === 0 ? window.lookbackDelta : range;
  return [start - node.offset, end - node.offset];
}

function lastSubqueryStep(path: readonly Expr[], window: QueryWindow): number {
  let step = 0;
  for (const n of path) if (n.kind === 'subquery') step = n.step || window.noStepSubqueryInterval;
  return step || window.step;
}

function functionOf(path: readonly Expr[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i]!;
    if (n.kind === 'aggregate') return n.op;
    if (n.kind === 'call') return n.func;
    if (n.kind === 'binary') return '';
  }
  return '';
}

function groupingOf(path: readonly Expr[]): { by: boolean; grouping: readonly string[] } {
  const last = path[path.length - 1];
  return last?.kind === 'aggregate' ? { by: !last.without, grouping: last.grouping } : { by: false, grouping: [] };
}

/** f(selector[range]) outside any subquery and step-invariant part, without @: the steps are the query's. */
function pushdownCandidate(node: Expr, path: readonly Expr[]) {
  if (node.kind !== 'call' || !PUSHDOWN_FUNCTIONS.has(node.func) || node.args.length !== 1) return null;
  if (path.some((n) => n.kind === 'subquery' || n.kind === 'stepInvariant')) return null;
  const arg = unwrapArgument(node.args[0]!);
  if (arg.kind !== 'matrixSelector' || arg.selector.at !== null || node.args[0]!.kind === 'stepInvariant') return null;
  return { call: node, matrix: arg, selector: arg.selector, range: arg.range };
}
