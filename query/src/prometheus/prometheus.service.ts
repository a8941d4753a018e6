// What the Prometheus HTTP API answers, over one tenant's stored metrics: PromQL (instant and
// range), series, label names and values, metadata and exemplars.
import { Inject, Injectable } from '@nestjs/common';
import {
  compareLabels,
  compileMatcher,
  instantQuery,
  labelsFrom,
  labelsKey,
  parseExpr,
  rangeQuery,
  seriesMatches,
  type CompiledMatcher,
  type Expr,
  type LabelMatcher,
  type Labels,
  type QueryValue,
  type VectorSelector,
} from '@telemetryflow/promql';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import { ClickHouseSeriesSource } from './clickhouse-series-source.js';
import { jsonFloat, readExemplars, readLayouts } from './point-reader.js';
import type { PromqlQueries } from './promql-queries.js';
import { resourcesSeen, SeriesCatalog, type StoredSeries } from './series-catalog.js';
import { targetInfoOf } from './otlp-names.js';
import { metadataOf, metricNamesOf, viewsOf, type PromMetadata } from './series-views.js';

/** Limits of PromQL evaluation (Prometheus' --query.* flags). */
export interface PromqlLimits {
  /** --query.max-samples */
  readonly maxSamples: number;
  /** --query.timeout, ms */
  readonly timeoutMs: number;
  /** Stored series one selector may read. */
  readonly maxSeries: number;
}

export interface ExemplarSeries {
  readonly seriesLabels: Labels;
  readonly exemplars: { labels: Labels; value: number; t: number }[];
}

@Injectable()
export class PrometheusService implements PromqlQueries {
  private readonly catalog: SeriesCatalog;
  readonly promql: PromqlLimits;

  constructor(
    @Inject(ClickHouseReader) private readonly ch: ClickHouseReader,
    @Inject(QUERY_LIMITS) limits: QueryLimits,
  ) {
    this.catalog = new SeriesCatalog(ch, limits.maxMetrics);
    this.promql = {
      maxSamples: limits.promqlMaxSamples,
      timeoutMs: limits.maxExecutionSeconds * 1000,
      maxSeries: limits.promqlMaxSeries,
    };
  }

  private source(tenant: string): ClickHouseSeriesSource {
    return new ClickHouseSeriesSource(this.ch, this.catalog, tenant, { maxSeries: this.promql.maxSeries });
  }

  private options(signal?: AbortSignal, timeoutMs?: number) {
    return {
      maxSamples: this.promql.maxSamples,
      timeoutMs: Math.min(timeoutMs ?? this.promql.timeoutMs, this.promql.timeoutMs),
      ...(signal && { signal }),
    };
  }

  instant(tenant: string, expr: string, timeMs: number, signal?: AbortSignal, timeoutMs?: number): Promise<QueryValue> {
    return instantQuery(this.source(tenant), expr, timeMs, this.options(signal, timeoutMs));
  }

  range(
    tenant: string,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<QueryValue> {
    return rangeQuery(this.source(tenant), expr, startMs, endMs, stepMs, this.options(signal, timeoutMs));
  }

  /** The series matching any of the selectors in the range, each once, in label order. */
  async series(tenant: string, selectors: readonly LabelMatcher[][], start: number, end: number): Promise<Labels[]> {
    const found = new Map<string, Labels>();
    for (const matchers of selectors) {
      for (const labels of await this.matchingLabels(tenant, matchers, start, end))
        found.set(labelsKey(labels), labels);
    }
    return [...found.values()].sort(compareLabels);
  }

  /** Label names of the matching series (all series without selectors), sorted. */
  async labelNames(
    tenant: string,
    selectors: readonly LabelMatcher[][],
    start: number,
    end: number,
  ): Promise<string[]> {
    const names = new Set<string>();
    for (const labels of await this.seriesOrAll(tenant, selectors, start, end))
      for (const l of labels) names.add(l.name);
    return [...names].sort();
  }

  /** Values of one label over the matching series (all series without selectors), sorted. */
  async labelValues(
    tenant: string,
    name: string,
    selectors: readonly LabelMatcher[][],
    start: number,
    end: number,
  ): Promise<string[]> {
    const values = new Set<string>();
    if (name === '__name__' && selectors.length === 0) {
      // The catalog's metric names answer without reading series.
      for (const m of await this.catalog.metricsSeen(tenant, start, end))
        for (const n of metricNamesOf(m)) values.add(n);
      if ((await this.targetInfos(tenant, [], start, end)).length > 0) values.add('target_info');
      return [...values].sort();
    }
    for (const labels of await this.seriesOrAll(tenant, selectors, start, end)) {
      for (const l of labels) if (l.name === name && l.value !== '') values.add(l.value);
    }
    return [...values].sort();
  }

  /** Metadata per metric family name, as `/api/v1/metadata` lists it. */
  async metadata(tenant: string, metric: string | undefined, limit: number): Promise<Map<string, PromMetadata[]>> {
    const metrics = await this.catalog.metricsOf(tenant, true);
    const out = new Map<string, PromMetadata[]>();
    for (const m of metrics) {
      for (const md of metadataOf(m)) {
        if (metric !== undefined && md.family !== metric) continue;
        const list = out.get(md.family) ?? [];
        if (!list.some((x) => x.type === md.type && x.help === md.help && x.unit === md.unit)) list.push(md);
        out.set(md.family, list);
      }
    }
    return limit > 0 ? new Map([...out].slice(0, limit)) : out;
  }

  /** Exemplars of the series the query's selectors choose, in the range. */
  async exemplars(tenant: string, query: string, start: number, end: number): Promise<ExemplarSeries[]> {
    const selectors = selectorsOf(parseExpr(query));
    const out = new Map<string, ExemplarSeries>();
    for (const matchers of selectors) {
      const compiled = matchers.map(compileMatcher);
      const stored = await this.source(tenant).storedSeries(matchers, compiled, start, end);
      for (const type of ['gauge', 'sum', 'histogram'] as const) {
        const ofType = new Map(stored.filter((s) => s.type === type).map((s) => [s.fingerprint, s]));
        if (ofType.size === 0) continue;
        const rows = await readExemplars(this.ch, type, this.window(tenant, [...ofType.values()], start, end), 10_000);
        for (const row of rows) {
          const s = ofType.get(row.fp)!;
          const view = viewsOf(s, [Infinity]).find((v) => seriesMatches(labelsFrom(v.labels), compiled));
          if (!view) continue;
          const seriesLabels = labelsFrom(view.labels);
          const key = labelsKey(seriesLabels);
          const entry = out.get(key) ?? { seriesLabels, exemplars: [] };
          for (const [t, v, traceId, spanId, attributes] of row.exemplars) {
            const labels = labelsFrom({
              ...attributes,
              ...(traceId !== '' && /[^0]/.test(traceId) && { trace_id: traceId }),
              ...(spanId !== '' && /[^0]/.test(spanId) && { span_id: spanId }),
            });
            entry.exemplars.push({ labels, value: jsonFloat(v), t });
          }
          out.set(key, entry);
        }
      }
    }
    return [...out.values()].sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  private async seriesOrAll(
    tenant: string,
    selectors: readonly LabelMatcher[][],
    start: number,
    end: number,
  ): Promise<Labels[]> {
    if (selectors.length > 0) return this.series(tenant, selectors, start, end);
    return this.matchingLabels(tenant, [], start, end);
  }

  /** Prometheus label sets of the stored series the matchers choose (histogram buckets and summary quantiles included). */
  private async matchingLabels(tenant: string, matchers: readonly LabelMatcher[], start: number, end: number) {
    const compiled = matchers.map(compileMatcher);
    const stored = await this.source(tenant).storedSeries(matchers, compiled, start, end);
    const layouts = new Map<string, number[]>();
    for (const type of ['histogram', 'summary'] as const) {
      const ofType = stored.filter((s) => s.type === type);
      if (ofType.length === 0) continue;
      for (const row of await readLayouts(this.ch, type, this.window(tenant, ofType, start, end)))
        layouts.set(
          row.fp,
          row.layout.map(jsonFloat).sort((a, b) => a - b),
        );
    }
    const out: Labels[] = await this.targetInfos(tenant, compiled, start, end);
    for (const s of stored) {
      const layout = layouts.get(s.fingerprint) ?? [];
      const views = s.type === 'summary' ? viewsOf(s, [], layout) : viewsOf(s, layout);
      for (const v of views) {
        const labels = labelsFrom(v.labels);
        if (seriesMatches(labels, compiled)) out.push(labels);
      }
    }
    return out;
  }

  /** `target_info` label sets of the OTLP resources seen in the range that the matchers choose. */
  private async targetInfos(
    tenant: string,
    compiled: readonly CompiledMatcher[],
    start: number,
    end: number,
  ): Promise<Labels[]> {
    if (!compiled.filter((m) => m.name === '__name__').every((m) => m.matches('target_info'))) return [];
    const out: Labels[] = [];
    for (const r of await resourcesSeen(this.ch, tenant, start, end, this.promql.maxSeries)) {
      const target = targetInfoOf({ ...r.resource });
      const labels = target && labelsFrom(target);
      if (labels && seriesMatches(labels, compiled)) out.push(labels);
    }
    return out;
  }

  private window(tenant: string, series: readonly StoredSeries[], startMs: number, endMs: number) {
    return {
      tenant,
      names: [...new Set(series.map((s) => s.name))],
      fps: series.map((s) => s.fingerprint),
      startMs,
      endMs,
    };
  }
}

/** Every vector selector of an expression, as matcher lists. */
function selectorsOf(expr: Expr): LabelMatcher[][] {
  const out: LabelMatcher[][] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if ((node as { kind?: string }).kind === 'vectorSelector') {
      out.push([...(node as VectorSelector).matchers]);
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
  };
  visit(expr);
  return out;
}
