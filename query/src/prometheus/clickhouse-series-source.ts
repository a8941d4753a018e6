// PromQL's SeriesSource over one tenant's stored metrics: the catalog chooses the series, the
// point tables give their samples, and each stored series becomes the Prometheus series it
// stands for (series-views.ts). Samples of views with equal labels merge into one series, as
// Prometheus' querier merges series from several blocks.
import {
  aggregationGroupLabels,
  compileMatcher,
  compareLabels,
  dropMetricName,
  labelsFrom,
  labelsKey,
  QueryError,
  seriesMatches,
  writeStaleNaN,
  type CompiledMatcher,
  type AggregationPushdownRequest,
  type LabelMatcher,
  type Labels,
  type PushdownRequest,
  type PushedDownSeries,
  type RawSeries,
  type SelectRequest,
  type SeriesSource,
} from '@telemetryflow/promql';
import type { ClickHouseReader } from '../clickhouse-reader.js';
import { METRIC_POINT_TABLES } from '@telemetryflow/clickhouse';
import { aggregateSteps, counterRateSteps, type StepGrid } from './counter-rates.js';
import {
  aggregateCounterRates,
  jsonFloat,
  readCounterSamples,
  readHistogramPoints,
  readSampleArrays,
  readSummaryPoints,
  type JsonFloat,
} from './point-reader.js';
import { resourcesSeen, type SeriesCatalog, type StoredMetric, type StoredSeries } from './series-catalog.js';
import { targetInfoOf } from './otlp-names.js';
import { metricNamesOf, viewsOf, type SeriesView } from './series-views.js';

const TARGET_INFO = 'target_info';
/** Half the lookback: an instant selector always finds a `target_info` sample while its resource reports. */
const TARGET_INFO_INTERVAL_MS = 150_000;

export interface SourceLimits {
  /** Stored series one selector may read. */
  readonly maxSeries: number;
}

/** Samples of one Prometheus series being assembled. */
class SampleRun {
  readonly t: number[] = [];
  readonly v: number[] = [];
  readonly stale: boolean[] = [];
  constructor(readonly labels: Labels) {}

  push(t: number, v: number, stale: boolean): void {
    this.t.push(t);
    this.v.push(v);
    this.stale.push(stale);
  }

  /** Time order, one sample per millisecond (the first read is kept: the TSDB refuses a second one at the same time). */
  toRaw(): RawSeries {
    const order = this.t.map((_, i) => i);
    let sorted = true;
    for (let i = 1; i < this.t.length; i++) if (this.t[i]! < this.t[i - 1]!) sorted = false;
    if (!sorted) order.sort((a, b) => this.t[a]! - this.t[b]!);
    const timestamps: number[] = [];
    const picked: number[] = [];
    for (const i of order) {
      if (timestamps.length > 0 && timestamps[timestamps.length - 1] === this.t[i]) continue;
      timestamps.push(this.t[i]!);
      picked.push(i);
    }
    const values = new Float64Array(picked.length);
    picked.forEach((i, j) => {
      if (this.stale[i]) writeStaleNaN(values, j);
      else values[j] = this.v[i]!;
    });
    return { labels: this.labels, timestamps: Float64Array.from(timestamps), values };
  }
}

export class ClickHouseSeriesSource implements SeriesSource {
  constructor(
    private readonly ch: ClickHouseReader,
    private readonly catalog: SeriesCatalog,
    private readonly tenant: string,
    private readonly limits: SourceLimits,
  ) {}

  async select(req: SelectRequest, signal: AbortSignal): Promise<RawSeries[]> {
    const matchers = req.matchers.map(compileMatcher);
    const series = await this.storedSeries(req.matchers, matchers, req.start, req.end);
    signal.throwIfAborted();
    const runs = new Map<string, SampleRun>();
    const runOf = (labels: Readonly<Record<string, string>>): SampleRun | undefined => {
      const ls = labelsFrom(labels);
      if (!seriesMatches(ls, matchers)) return undefined;
      const key = labelsKey(ls);
      let run = runs.get(key);
      if (!run) runs.set(key, (run = new SampleRun(ls)));
      return run;
    };
    const nameMatchers = matchers.filter((m) => m.name === '__name__');
    if (nameMatchers.every((m) => m.matches(TARGET_INFO))) await this.targetInfo(req, runOf);
    await Promise.all([
      this.readValues('gauge', series, req, runOf),
      this.readValues('sum', series, req, runOf),
      this.readHistograms(series, req, runOf),
      this.readSummaries(series, req, runOf),
    ]);
    signal.throwIfAborted();
    return [...runs.values()].map((r) => r.toRaw()).sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /**
   * `sum|min|max|avg|count|group by|without (…) (rate|increase(selector[range] offset o))` computed
   * without per-step sample vectors when every chosen series is a plain value series (gauge or
   * counter) with its own label set: in ClickHouse when windows are apart (range < step), else in
   * one pass over each series' samples (counter-rates.ts). Undefined otherwise (histograms,
   * summaries, series that merge), and the engine computes it.
   */
  async evaluateAggregation(
    req: AggregationPushdownRequest,
    signal: AbortSignal,
  ): Promise<PushedDownSeries[] | undefined> {
    const grouping = [...req.grouping].sort();
    return this.counterRates(
      req,
      req.op,
      (labels) => aggregationGroupLabels(dropMetricName(labels), grouping, req.without),
      signal,
    );
  }

  /**
   * `rate|increase(selector[range] offset o)` per series at every step, computed the same way under
   * the same conditions as evaluateAggregation (each series its own group); labels as stored.
   */
  async evaluateRangeFunction(req: PushdownRequest, signal: AbortSignal): Promise<PushedDownSeries[] | undefined> {
    return this.counterRates(req, 'sum', (labels) => labels, signal);
  }

  private async counterRates(
    req: PushdownRequest,
    op: AggregationPushdownRequest['op'],
    groupOfSeries: (labels: Labels) => Labels,
    signal: AbortSignal,
  ): Promise<PushedDownSeries[] | undefined> {
    if (req.fn !== 'rate' && req.fn !== 'increase') return undefined;
    const matchers = req.matchers.map(compileMatcher);
    const dataStart = req.start - req.offset - req.range;
    const dataEnd = req.end - req.offset;
    const stored = await this.storedSeries(req.matchers, matchers, dataStart, dataEnd);
    signal.throwIfAborted();
    const groups = new Map<string, { index: number; labels: Labels }>();
    const seen = new Set<string>();
    const chosen = new Map<string, { labels: Labels; group: number }>();
    const names = new Set<string>();
    for (const s of stored) {
      if (s.type !== 'gauge' && s.type !== 'sum') return undefined;
      for (const view of viewsOf(s)) {
        const labels = labelsFrom(view.labels);
        if (!seriesMatches(labels, matchers)) continue;
        const key = labelsKey(labels);
        // Two stored series with one label set merge into one Prometheus series: the engine does that.
        if (seen.has(key)) return undefined;
        seen.add(key);
        const groupLabels = groupOfSeries(labels);
        const groupKey = labelsKey(groupLabels);
        let group = groups.get(groupKey);
        // Group indexes from 1: ClickHouse's transform() maps unknown fingerprints to 0.
        if (!group) groups.set(groupKey, (group = { index: groups.size + 1, labels: groupLabels }));
        chosen.set(s.fingerprint, { labels, group: group.index });
        names.add(s.name);
      }
    }
    if (chosen.size === 0) return [];
    const window = {
      tenant: this.tenant,
      names: [...names],
      fps: [...chosen.keys()],
      startMs: dataStart,
      endMs: dataEnd,
    };
    const labelsOf = new Map([...groups.values()].map((g) => [g.index, g.labels]));
    const steps = Math.floor((req.end - req.start) / req.step) + 1;
    if (req.range < req.step) {
      // Windows apart: each sample is in at most one, and ClickHouse reads only those and
      // aggregates them without sending the samples.
      const rows = await aggregateCounterRates(this.ch, window, {
        op,
        perSecond: req.fn === 'rate',
        rangeMs: req.range,
        offsetMs: req.offset,
        startMs: req.start,
        stepMs: req.step,
        steps,
        groups: [...chosen.values()].map((c) => c.group),
      });
      return rows.map((r) => ({
        labels: labelsOf.get(r.g)!,
        points: r.points.map(([t, v]) => ({ t, v: jsonFloat(v) })),
      }));
    }
    // Windows overlapping: a sample is in range ÷ step windows, so ClickHouse would compute a row
    // per sample and window; the samples are read once and every step evaluated in one pass.
    const grid: StepGrid = {
      startMs: req.start,
      stepMs: req.step,
      steps,
      rangeMs: req.range,
      offsetMs: req.offset,
      perSecond: req.fn === 'rate',
    };
    const samples = await readCounterSamples(this.ch, window);
    signal.throwIfAborted();
    // The engine adds a step's samples in the order of its series, sorted by labels.
    const series = samples
      .map((s) => ({ ...chosen.get(s.fp)!, steps: counterRateSteps(s.ts, s.vs, grid) }))
      .sort((a, b) => compareLabels(a.labels, b.labels));
    return [...aggregateSteps(op, series, grid)].map(([group, points]) => ({ labels: labelsOf.get(group)!, points }));
  }

  /** Stored series of every metric with a Prometheus name the name matchers accept. */
  async storedSeries(
    raw: readonly LabelMatcher[],
    matchers: readonly CompiledMatcher[],
    startMs: number,
    endMs: number,
  ): Promise<StoredSeries[]> {
    const nameMatchers = matchers.filter((m) => m.name === '__name__');
    const accepts = (m: StoredMetric) => metricNamesOf(m).some((n) => nameMatchers.every((x) => x.matches(n)));
    let metrics = (await this.catalog.metricsOf(this.tenant)).filter(accepts);
    // A metric first written since the list was read: look once more before answering "none".
    if (metrics.length === 0) metrics = (await this.catalog.metricsOf(this.tenant, true)).filter(accepts);
    const names = [...new Set(metrics.map((m) => m.name))];
    const series = await this.catalog.seriesOf(this.tenant, names, raw, startMs, endMs, this.limits.maxSeries + 1);
    if (series.length > this.limits.maxSeries)
      throw new QueryError(
        'execution',
        `the selector matches more than ${this.limits.maxSeries} series; add label matchers or narrow the range`,
      );
    return series;
  }

  private async readValues(
    type: 'gauge' | 'sum',
    all: readonly StoredSeries[],
    req: SelectRequest,
    runOf: (labels: Readonly<Record<string, string>>) => SampleRun | undefined,
  ): Promise<void> {
    // Value series have one view each: matchers decide before any point is read.
    const chosen = new Map<string, SampleRun[]>();
    for (const s of all) {
      if (s.type !== type) continue;
      const runs = viewsOf(s)
        .map((v) => runOf(v.labels))
        .filter((r): r is SampleRun => r !== undefined);
      if (runs.length > 0) chosen.set(s.fingerprint, runs);
    }
    if (chosen.size === 0) return;
    const rows = await readSampleArrays(this.ch, [METRIC_POINT_TABLES[type]], this.window(all, chosen.keys(), req), {
      order: 'time',
    });
    for (const row of rows) {
      for (const run of chosen.get(row.fp) ?? []) {
        for (let i = 0; i < row.ts.length; i++) run.push(row.ts[i]!, row.vs[i]!, row.stale[i] === 1);
      }
    }
  }

  private async readHistograms(
    all: readonly StoredSeries[],
    req: SelectRequest,
    runOf: (labels: Readonly<Record<string, string>>) => SampleRun | undefined,
  ): Promise<void> {
    const bySeries = new Map(all.filter((s) => s.type === 'histogram').map((s) => [s.fingerprint, s]));
    if (bySeries.size === 0) return;
    const rows = await readHistogramPoints(this.ch, this.window(all, bySeries.keys(), req));
    for (const row of rows) {
      const s = bySeries.get(row.fp)!;
      const bounds = [...new Set(row.points.flatMap((p) => p[4].map(jsonFloat)))].sort((a, b) => a - b);
      for (const view of viewsOf(s, bounds)) {
        const run = runOf(view.labels);
        if (!run) continue;
        for (const [t, stale, count, sum, pointBounds, counts] of row.points) {
          const v = histogramValue(view, count, jsonFloat(sum), pointBounds, counts);
          if (v !== undefined) run.push(t, v, stale === 1);
        }
      }
    }
  }

  private async readSummaries(
    all: readonly StoredSeries[],
    req: SelectRequest,
    runOf: (labels: Readonly<Record<string, string>>) => SampleRun | undefined,
  ): Promise<void> {
    const bySeries = new Map(all.filter((s) => s.type === 'summary').map((s) => [s.fingerprint, s]));
    if (bySeries.size === 0) return;
    const rows = await readSummaryPoints(this.ch, this.window(all, bySeries.keys(), req));
    for (const row of rows) {
      const s = bySeries.get(row.fp)!;
      const quantiles = [...new Set(row.points.flatMap((p) => p[4].map(jsonFloat)))].sort((a, b) => a - b);
      for (const view of viewsOf(s, [], quantiles)) {
        const run = runOf(view.labels);
        if (!run) continue;
        for (const [t, stale, count, sum, qs, values] of row.points) {
          const v = summaryValue(view, count, jsonFloat(sum), qs, values);
          if (v !== undefined) run.push(t, v, stale === 1);
        }
      }
    }
  }

  /**
   * `target_info` (value 1) of every OTLP resource seen in the range: a sample every
   * TARGET_INFO_INTERVAL_MS from when its series were first seen to when they were last seen,
   * and at that last time, so it is present wherever its series are and ends with them.
   */
  private async targetInfo(
    req: SelectRequest,
    runOf: (labels: Readonly<Record<string, string>>) => SampleRun | undefined,
  ): Promise<void> {
    const seen = await resourcesSeen(this.ch, this.tenant, req.start, req.end, this.limits.maxSeries);
    for (const r of seen) {
      const labels = targetInfoOf({ ...r.resource });
      const run = labels && runOf(labels);
      if (!run) continue;
      const skipped = Math.max(0, Math.ceil((req.start - r.first) / TARGET_INFO_INTERVAL_MS));
      const until = Math.min(r.last, req.end);
      for (let t = r.first + skipped * TARGET_INFO_INTERVAL_MS; t < until; t += TARGET_INFO_INTERVAL_MS)
        run.push(t, 1, false);
      if (r.last <= req.end && r.last >= req.start) run.push(r.last, 1, false);
    }
  }

  private window(all: readonly StoredSeries[], fps: Iterable<string>, req: SelectRequest) {
    const wanted = new Set(fps);
    const names = [...new Set(all.filter((s) => wanted.has(s.fingerprint)).map((s) => s.name))];
    return { tenant: this.tenant, names, fps: [...wanted], startMs: req.start, endMs: req.end };
  }
}

/** A histogram view's value at one point: a cumulative bucket, the count or the sum. */
function histogramValue(
  view: SeriesView,
  count: number,
  sum: number,
  pointBounds: readonly JsonFloat[],
  counts: readonly number[],
): number | undefined {
  const value = view.value;
  if (value === 'count') return count;
  if (value === 'sum') return Number.isNaN(sum) ? undefined : sum;
  if (typeof value !== 'object' || !('bucket' in value)) return undefined;
  if (value.bucket < 0) return count;
  const at = pointBounds.findIndex((b) => jsonFloat(b) === value.bound);
  if (at < 0) return undefined;
  let cumulative = 0;
  for (let i = 0; i <= at; i++) cumulative += counts[i] ?? 0;
  return cumulative;
}

/** A summary view's value at one point: a quantile, the count or the sum. */
function summaryValue(
  view: SeriesView,
  count: number,
  sum: number,
  qs: readonly JsonFloat[],
  values: readonly JsonFloat[],
): number | undefined {
  const value = view.value;
  if (value === 'count') return count;
  if (value === 'sum') return sum;
  if (typeof value !== 'object' || !('quantile' in value)) return undefined;
  const at = qs.findIndex((q) => jsonFloat(q) === value.q);
  return at < 0 ? undefined : jsonFloat(values[at] ?? 'nan');
}
