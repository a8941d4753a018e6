// PromQL's SeriesSource over one tenant's stored metrics: the catalog chooses the series, the
// point tables give their samples, and each stored series becomes the Prometheus series it
// stands for (series-views.ts). Samples of views with equal labels merge into one series, as
// Prometheus' querier merges series from several blocks.
import {
  compileMatcher,
  compareLabels,
  labelsFrom,
  labelsKey,
  QueryError,
  seriesMatches,
  writeStaleNaN,
  type CompiledMatcher,
  type LabelMatcher,
  type Labels,
  type RawSeries,
  type SelectRequest,
  type SeriesSource,
} from '@telemetryflow/promql';
import type { ClickHouseReader } from '../clickhouse-reader.js';
import {
  jsonFloat,
  readHistogramPoints,
  readSummaryPoints,
  readValuePoints,
  type JsonFloat,
} from './point-reader.js';
import type { SeriesCatalog, StoredMetric, StoredSeries } from './series-catalog.js';
import { metricNamesOf, viewsOf, type SeriesView } from './series-views.js';

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
    await Promise.all([
      this.readValues('gauge', series, req, runOf),
      this.readValues('sum', series, req, runOf),
      this.readHistograms(series, req, runOf),
      this.readSummaries(series, req, runOf),
    ]);
    signal.throwIfAborted();
    return [...runs.values()].map((r) => r.toRaw()).sort((a, b) => compareLabels(a.labels, b.labels));
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
    const rows = await readValuePoints(this.ch, type, this.window(all, chosen.keys(), req));
    for (const row of rows) {
      for (const run of chosen.get(row.fp) ?? []) {
        for (const [t, v, stale] of row.points) run.push(t, jsonFloat(v), stale === 1);
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
