import type { Expr } from '../parser/ast.js';
import { typeOf } from '../parser/check.js';
import { ParseError } from '../parser/errors.js';
import { parseExpr } from '../parser/parse.js';
import { compareLabels } from '../labels.js';
import type { SeriesSource } from '../source/series-source.js';
import type { QueryValue } from '../values.js';
import { setOffsetsForAt } from './at-offsets.js';
import { QueryError, timedOut, canceled } from './errors.js';
import { Evaluator } from './evaluator.js';
import { prefetch, type QueryWindow } from './prefetch.js';
import { preprocess } from './preprocess.js';
import type { QueryState } from './state.js';

export interface QueryOptions {
  /** How far back an instant selector looks for a sample (Prometheus default 5m). */
  readonly lookbackDelta?: number;
  /** Samples a query may hold in memory at once (Prometheus --query.max-samples, default 50,000,000). */
  readonly maxSamples?: number;
  /** Time a query may take (Prometheus --query.timeout, default 2m). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Step of subqueries written without one (Prometheus: the global evaluation interval, default 1m). */
  readonly noStepSubqueryInterval?: number;
}

const DEFAULTS = { lookbackDelta: 300_000, maxSamples: 50_000_000, timeoutMs: 120_000, noStepSubqueryInterval: 60_000 };

/** Evaluates a query at one time (ms), like GET /api/v1/query. */
export async function instantQuery(
  source: SeriesSource,
  query: string,
  time: number,
  options: QueryOptions = {},
): Promise<QueryValue> {
  const expr = parseOrThrow(query);
  const prepared = preprocess(expr, time, time);
  const state = await prepare(source, prepared, { start: time, end: time, step: 0 }, options);
  const ev = new Evaluator(state, time, time, 1);
  const value = ev.eval(prepared);
  if (!Array.isArray(value)) return { resultType: 'string', result: { t: value.t, v: value.v } };
  switch (typeOf(prepared)) {
    case 'vector':
      return { resultType: 'vector', result: value.map((s) => ({ metric: s.metric, t: time, v: s.points[0]!.v })) };
    case 'scalar':
      return { resultType: 'scalar', result: { t: time, v: value[0]!.points[0]!.v } };
    default:
      return { resultType: 'matrix', result: value };
  }
}

/** Evaluates a query from start to end (ms) every step (ms), like GET /api/v1/query_range. */
export async function rangeQuery(
  source: SeriesSource,
  query: string,
  start: number,
  end: number,
  step: number,
  options: QueryOptions = {},
): Promise<QueryValue> {
  if (!(step > 0))
    throw new QueryError(
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  if (end < start) throw new QueryError('bad_data', 'end timestamp must not be before start time');
  const expr = parseOrThrow(query);
  const type = typeOf(expr);
  if (type !== 'vector' && type !== 'scalar') {
    throw new QueryError(
      'bad_data',
      `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
  }
  const prepared = preprocess(expr, start, end);
  const state = await prepare(source, prepared, { start, end, step }, options);
  const ev = new Evaluator(state, start, end, step);
  const matrix = ev.evalMatrix(prepared);
  ev.checkDone();
  return { resultType: 'matrix', result: [...matrix].sort((a, b) => compareLabels(a.metric, b.metric)) };
}

function parseOrThrow(query: string): Expr {
  try {
    return parseExpr(query);
  } catch (e) {
    if (e instanceof ParseError) throw new QueryError('bad_data', e.message);
    throw e;
  }
}

async function prepare(
  source: SeriesSource,
  expr: Expr,
  range: { start: number; end: number; step: number },
  options: QueryOptions,
): Promise<QueryState> {
  const limits = {
    lookbackDelta: options.lookbackDelta ?? DEFAULTS.lookbackDelta,
    maxSamples: options.maxSamples ?? DEFAULTS.maxSamples,
    deadline: Date.now() + (options.timeoutMs ?? DEFAULTS.timeoutMs),
    signal: options.signal,
    noStepSubqueryInterval: options.noStepSubqueryInterval ?? DEFAULTS.noStepSubqueryInterval,
  };
  const window: QueryWindow = {
    ...range,
    lookbackDelta: limits.lookbackDelta,
    noStepSubqueryInterval: limits.noStepSubqueryInterval,
  };
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(timedOut('query execution')),
    Math.max(0, limits.deadline - Date.now()),
  );
  const onAbort = () => controller.abort(canceled('query execution'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const fetched = await Promise.race([
      prefetch(source, expr, window, controller.signal),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }),
      ),
    ]);
    const state: QueryState = { limits, offsets: new Map(), ...fetched };
    setOffsetsForAt(range.start, expr, state.offsets);
    return state;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
