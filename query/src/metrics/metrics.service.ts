import { Inject, Injectable } from '@nestjs/common';
import type { MetricDto, MetricQueryResultDto, MetricSeriesDto, ResolutionMeta } from '@telemetryflow/contract';
import { invalidParameter, resultTooLarge } from '@telemetryflow/http-kit';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import { QueryPlanner } from '../planner/query-planner.js';
import { rawPlan, withRawLookback, type Resolution } from '../planner/query-plan.js';
import { parseTimeRange, type RawParams } from '../request-params.js';
import { expHistogramIncreases, expHistogramQuantile, knownExtremes, mergeExpHistograms, type ExpHistogram, type ExpHistogramPoint } from './exp-histogram.js';
import {
  addStats, bucketStart, bucketStarts, counterIncreases, rollupCounterPoints, emptyStats, exactStatValue, foldExtreme, histogramIncreases, mergedHistogramQuantile, statValue,
  type HistogramPoint, type StatAggregation, type StepStats,
} from './metric-math.js';
import { parseMetricQuery, planFor, quantileOf, seriesLabels, type MetricQuery } from './metric-query.js';
import { MetricsRepository, type RawDistributionPoint, type RawExpHistogramPoint, type RawPoint, type SeriesRow } from './metrics.repository.js';

export const MAX_SERIES = 5000;
const DELTA = 1;
const NS_PER_MS = 1_000_000n;

interface Group {
  labels: Record<string, string>;
  fingerprints: string[];
}

@Injectable()
export class MetricsService {
  constructor(
    @Inject(MetricsRepository) private readonly repo: MetricsRepository,
    @Inject(QueryPlanner) private readonly planner: QueryPlanner,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  async listMetrics(tenant: string, q: RawParams): Promise<MetricDto[]> {
    const cap = this.limits.maxMetrics;
    const rows = await this.repo.listMetrics(tenant, parseTimeRange(q), cap + 1);
    if (rows.length > cap) throw resultTooLarge(`more than ${cap} metrics were seen in the range; narrow it with from and to`, cap, ['from', 'to']);
    return rows;
  }

  /** Raw points up to the cap; past it, 422 rather than a silently partial answer. */
  private capped<T>(rows: T[]): T[] {
    const cap = this.limits.maxMetricPoints;
    if (rows.length > cap) {
      throw resultTooLarge(`the query would read more than ${cap} points; narrow it with from and to, or add filters`, cap, ['from', 'to', 'filters']);
    }
    return rows;
  }

  /**
   * Every aggregation reads through the query planner (rollups for whole hours and days,
   * raw points at the edges), except distributions of metrics mixing delta and cumulative
   * series, which read raw points.
   */
  async query(tenant: string, body: unknown): Promise<{ data: MetricQueryResultDto; meta: ResolutionMeta }> {
    return this.run(tenant, parseMetricQuery(body), body as RawParams);
  }

  /** `params.resolution = 'raw'` forces raw points (see QueryPlanner). */
  async run(tenant: string, q: MetricQuery, params: RawParams = {}): Promise<{ data: MetricQueryResultDto; meta: ResolutionMeta }> {
    const found = await this.repo.findSeries(tenant, q.metric, q.filters, q, MAX_SERIES + 1);
    let resolution: Resolution = 'raw';
    if (found.length === 0) return { data: { series: [] }, meta: { resolution } };
    if (found.length > MAX_SERIES) throw invalidParameter('filters', `the query matches more than ${MAX_SERIES} series; add filters`);
    const type = found[0]!.type;
    const series = found.filter((s) => s.type === type);
    const plan = planFor(type, q.aggregation);
    const groups = groupSeries(series, q.groupBy);
    const fromMs = Number(q.fromNs / NS_PER_MS);
    const toMs = Number(q.toNs / NS_PER_MS);
    const buckets = bucketStarts(fromMs, toMs, q.stepMs);
    // Increases need the point before the first bucket: fetch one step earlier.
    const lookback = { ...q, fromNs: q.fromNs - BigInt(q.stepMs) * NS_PER_MS };
    const scope = (from: MetricQuery) => ({ tenant, metric: q.metric, fingerprints: series.map((s) => s.fingerprint), fromNs: from.fromNs, toNs: from.toNs });

    // Aggregations that rollups answer exactly read through the planner.
    const planned = async () => {
      const p = await this.planner.plan(tenant, 'metrics', q, params, q.stepMs);
      resolution = p.resolution;
      return p;
    };
    let values: (group: Group) => Map<number, number | null>;
    /** Exact int64 values per step, where the aggregation picks stored integers. */
    let intValues: ((group: Group) => Map<number, string | null>) | undefined;
    // Delta distributions' points are intervals already: their counts, sums and buckets add
    // up, so rollups summed per bucket answer exactly. Cumulative ones (summaries always) read
    // raw points, or for whole hours and days the points the cumulative rollups kept, and take
    // increases of those. A metric mixing both temporalities reads raw points only.
    const allDelta = series.every((s) => s.temporality === DELTA);
    const cumulative = type === 'summary' || series.every((s) => s.temporality !== DELTA);
    const pointsPlan = async () => {
      const p = cumulative ? withRawLookback(await this.planner.plan(tenant, 'metrics', q, params, q.stepMs), lookback.fromNs) : rawPlan(lookback.fromNs, lookback.toNs);
      resolution = p.resolution;
      return p;
    };
    const deltaTotals = plan === 'distribution-totals' && type !== 'summary' && allDelta;
    const deltaQuantiles = plan === 'histogram-quantile' && allDelta;
    const deltaExpQuantiles = plan === 'exp-histogram-quantile' && allDelta;
    switch (deltaTotals ? 'delta-distribution-totals' : deltaQuantiles ? 'delta-histogram-quantile' : deltaExpQuantiles ? 'delta-exp-histogram-quantile' : plan) {
      case 'delta-histogram-quantile': {
        const rows = await this.repo.distributionBuckets(scope(q), await planned(), q.stepMs);
        const byFp = groupBy(rows, (r) => r.fingerprint);
        const quantile = quantileOf(q.aggregation);
        values = (g) => mapValues(rowsPerStep(byFp, g.fingerprints), (hs) => mergedHistogramQuantile(quantile, hs));
        break;
      }
      case 'delta-exp-histogram-quantile': {
        const rows = await this.repo.deltaExpHistograms(scope(q), await planned(), q.stepMs);
        const byFp = groupBy(rows, (r) => r.fingerprint);
        const quantile = quantileOf(q.aggregation);
        values = (g) => mapValues(rowsPerStep(byFp, g.fingerprints), (rs) => expQuantile(quantile, rs.map((r) => r.histogram), rs));
        break;
      }
      case 'delta-distribution-totals': {
        const rows = await this.repo.distributionTotals(type as 'histogram', scope(q), await planned(), q.stepMs);
        const byFp = groupBy(rows, (r) => r.fingerprint);
        values = (g) => {
          const acc = new Map<number, { count: number; sum: number }>();
          for (const fp of g.fingerprints) {
            for (const r of byFp.get(fp) ?? []) {
              const t = getOr(acc, r.bucket, () => ({ count: 0, sum: 0 }));
              t.count += r.count;
              t.sum += r.sum;
            }
          }
          return mapValues(acc, (t) => (q.aggregation === 'count' ? t.count : q.aggregation === 'sum' ? t.sum : t.count > 0 ? t.sum / t.count : null));
        };
        break;
      }
      case 'stats': {
        const rows = await this.repo.stepStats(type as 'gauge' | 'sum', scope(q), await planned(), q.stepMs);
        const byFp = groupBy(rows, (r) => r.fingerprint);
        const perGroup = new Map<Group, Map<number, StepStats>>();
        const stats = (g: Group) =>
          getOr(perGroup, g, () => {
            const acc = new Map<number, StepStats>();
            for (const fp of g.fingerprints) {
              for (const r of byFp.get(fp) ?? []) addStats(getOr(acc, r.bucket, emptyStats), r);
            }
            return acc;
          });
        values = (g) => mapValues(stats(g), (s) => statValue(s, q.aggregation as StatAggregation));
        intValues = (g) => mapValues(stats(g), (s) => exactStatValue(s, q.aggregation as StatAggregation));
        break;
      }
      case 'counter': {
        // Whole hours and days of the range come from the value rollups (first, last, min,
        // max per bucket); the edges, and everything when no rollup fits the step, from raw points.
        const plan = withRawLookback(await this.planner.plan(tenant, 'metrics', q, params, q.stepMs), lookback.fromNs);
        resolution = plan.resolution;
        const rawSegments = plan.segments.filter((s) => s.source === 'raw');
        const raw: RawPoint[] = [];
        for (const seg of rawSegments) raw.push(...(await this.repo.sumPoints(scope({ ...q, fromNs: seg.fromNs, toNs: seg.toNs - 1n }), this.limits.maxMetricPoints + 1)));
        const points = groupBy(this.capped(raw), (p) => p.fingerprint);
        const rollups = groupBy(await this.repo.counterRollups(scope(q), plan), (r) => r.fingerprint);
        const series0 = new Map(series.map((s) => [s.fingerprint, s]));
        const perSecond = q.aggregation === 'rate' ? q.stepMs / 1000 : 1;
        values = (g) => {
          const acc = new Map<number, number>();
          for (const fp of g.fingerprints) {
            const s = series0.get(fp)!;
            const pts = points.get(fp) ?? [];
            const buckets = rollups.get(fp) ?? [];
            const increases =
              s.temporality === DELTA
                ? [...pts.map((p) => ({ t: p.t, value: p.value })), ...buckets.map((b) => ({ t: b.t, value: b.sum }))]
                : counterIncreases([...pts, ...buckets.flatMap(rollupCounterPoints)], Number(lookback.fromNs / NS_PER_MS), s.monotonic);
            for (const inc of increases) {
              if (inc.t < fromMs) continue;
              const b = bucketStart(inc.t, q.stepMs);
              acc.set(b, (acc.get(b) ?? 0) + inc.value);
            }
          }
          return mapValues(acc, (v) => v / perSecond);
        };
        break;
      }
      case 'histogram-quantile':
      case 'distribution-totals': {
        const raw = await this.repo.distributionPoints(type as 'histogram' | 'exponential_histogram' | 'summary', scope(q), await pointsPlan(), this.limits.maxMetricPoints + 1);
        const points = groupBy(this.capped(raw), (p) => p.fingerprint);
        const windowStart = Number(lookback.fromNs / NS_PER_MS);
        const quantile = quantileOf(q.aggregation);
        values = (g) => {
          const perBucket = new Map<number, HistogramPoint[]>();
          for (const fp of g.fingerprints) {
            for (const h of intervals(points.get(fp) ?? [], windowStart)) {
              if (h.t >= fromMs) getOr(perBucket, bucketStart(h.t, q.stepMs), () => []).push(h);
            }
          }
          return mapValues(perBucket, (hs) => {
            if (plan === 'histogram-quantile') return mergedHistogramQuantile(quantile, hs);
            const count = hs.reduce((a, h) => a + h.count, 0);
            const sum = hs.reduce((a, h) => a + h.sum, 0);
            if (q.aggregation === 'count') return count;
            if (q.aggregation === 'sum') return sum;
            return count > 0 ? sum / count : null;
          });
        };
        break;
      }
      case 'exp-histogram-quantile': {
        const raw = await this.repo.expHistogramPoints(scope(q), await pointsPlan(), this.limits.maxMetricPoints + 1);
        const points = groupBy(this.capped(raw), (p) => p.fingerprint);
        const windowStart = Number(lookback.fromNs / NS_PER_MS);
        const quantile = quantileOf(q.aggregation);
        values = (g) => {
          const perBucket = new Map<number, ExpHistogramPoint[]>();
          for (const fp of g.fingerprints) {
            for (const h of expIntervals(points.get(fp) ?? [], windowStart)) {
              if (h.t >= fromMs) getOr(perBucket, bucketStart(h.t, q.stepMs), () => []).push(h);
            }
          }
          return mapValues(perBucket, (hs) => expQuantile(quantile, hs, hs));
        };
        break;
      }
      case 'distribution-extremes': {
        const rows = await this.repo.distributionExtremes(type as 'histogram', scope(q), await planned(), q.stepMs);
        const byFp = groupBy(rows, (r) => r.fingerprint);
        values = (g) => {
          const acc = new Map<number, number | null>();
          for (const fp of g.fingerprints) {
            for (const r of byFp.get(fp) ?? []) {
              acc.set(r.bucket, foldExtreme(acc.get(r.bucket) ?? null, q.aggregation === 'min' ? r.min : r.max, q.aggregation as 'min' | 'max'));
            }
          }
          return acc;
        };
        break;
      }
      default:
        throw invalidParameter('aggregation', plan);
    }

    const out: MetricSeriesDto[] = groups.map((g) => {
      const v = values(g);
      const exact = intValues?.(g);
      const ints = exact ? buckets.map((b) => exact.get(b) ?? null) : [];
      return { labels: g.labels, points: buckets.map((b) => [b, v.get(b) ?? null]), ...(ints.some((i) => i !== null) ? { intValues: ints } : {}) };
    });
    return { data: { series: out }, meta: { resolution } };
  }
}

/** The q-quantile of exponential histograms together, clamped to the extremes when every one recorded them. */
function expQuantile(q: number, histograms: readonly ExpHistogram[], extremes: readonly { min: number | null; max: number | null }[]): number | null {
  const merged = mergeExpHistograms(histograms);
  return merged ? expHistogramQuantile(q, merged, knownExtremes(extremes)) : null;
}

/** Per-interval distributions: cumulative series become increases; delta points are intervals already. */
function intervals(points: RawDistributionPoint[], windowStartMs: number): HistogramPoint[] {
  if (points.length === 0) return [];
  return points[0]!.temporality === DELTA ? points : histogramIncreases(points, windowStartMs);
}

/** Exponential-histogram intervals: cumulative series become increases; delta points are intervals already. */
function expIntervals(points: RawExpHistogramPoint[], windowStartMs: number): ExpHistogramPoint[] {
  if (points.length === 0) return [];
  return points[0]!.temporality === DELTA ? points : expHistogramIncreases(points, windowStartMs);
}

function groupSeries(series: SeriesRow[], keys: string[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of series) {
    const labels = seriesLabels(keys, s.attributes, s.resource);
    const key = JSON.stringify(keys.map((k) => labels[k]));
    getOr(groups, key, () => ({ labels, fingerprints: [] })).fingerprints.push(s.fingerprint);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** The rows of a group's series per step bucket. */
function rowsPerStep<R extends { bucket: number }>(byFp: Map<string, R[]>, fingerprints: readonly string[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const fp of fingerprints) {
    for (const r of byFp.get(fp) ?? []) getOr(out, r.bucket, () => []).push(r);
  }
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) getOr(m, key(it), () => []).push(it);
  return m;
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

function mapValues<K, V, W>(m: Map<K, V>, f: (v: V) => W): Map<K, W> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}
