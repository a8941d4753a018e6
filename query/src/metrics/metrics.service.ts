import { Inject, Injectable } from '@nestjs/common';
import type { MetricDto, MetricQueryResultDto, MetricSeriesDto, ResolutionMeta } from '@telemetryflow/contract';
import { invalidParameter, resultTooLarge } from '@telemetryflow/http-kit';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import { QueryPlanner } from '../planner/query-planner.js';
import { parseTimeRange, type RawParams } from '../request-params.js';
import { bucketStarts } from './metric-math.js';
import { parseMetricQuery, planFor, seriesLabels, type MetricQuery } from './metric-query.js';
import { MetricsRepository, type SeriesRow } from './metrics.repository.js';
import { metricStrategy } from './strategies/metric-strategies.js';
import { MetricRead, type Group } from './strategies/metric-strategy.js';
import { getOr } from './strategies/series-maps.js';

export const MAX_SERIES = 5000;

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
    if (rows.length > cap)
      throw resultTooLarge(`more than ${cap} metrics were seen in the range; narrow it with from and to`, cap, [
        'from',
        'to',
      ]);
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

  /**
   * `params.resolution = 'raw'` forces raw points (see QueryPlanner). The series found pick
   * the strategy (metric type × aggregation family), which reads each group's values per step.
   */
  async run(
    tenant: string,
    q: MetricQuery,
    params: RawParams = {},
  ): Promise<{ data: MetricQueryResultDto; meta: ResolutionMeta }> {
    const found = await this.repo.findSeries(tenant, q.metric, q.filters, q, MAX_SERIES + 1);
    if (found.length === 0) return { data: { series: [] }, meta: { resolution: 'raw' } };
    if (found.length > MAX_SERIES)
      throw invalidParameter('filters', `the query matches more than ${MAX_SERIES} series; add filters`);
    const type = found[0]!.type;
    const series = found.filter((s) => s.type === type);
    const plan = planFor(type, q.aggregation);
    const groups = groupSeries(series, q.groupBy);
    const read = new MetricRead(this.repo, this.planner, this.limits, tenant, q, params, type, series);
    const buckets = bucketStarts(read.fromMs, read.toMs, q.stepMs);
    const strategy = metricStrategy(plan, type, series);
    if (strategy === undefined) throw invalidParameter('aggregation', plan);
    const answer = await strategy.read(read);

    const out: MetricSeriesDto[] = groups.map((g) => {
      const v = answer.values(g);
      const exact = answer.intValues?.(g);
      const ints = exact ? buckets.map((b) => exact.get(b) ?? null) : [];
      return {
        labels: g.labels,
        points: buckets.map((b) => [b, v.get(b) ?? null]),
        ...(ints.some((i) => i !== null) ? { intValues: ints } : {}),
      };
    });
    return { data: { series: out }, meta: { resolution: read.resolution } };
  }
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
