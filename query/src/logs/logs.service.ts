import { Inject, Injectable } from '@nestjs/common';
import type { LogDto, LogVolumePointDto, ResolutionMeta } from '@telemetryflow/contract';
import { bucketStarts } from '../metrics/metric-math.js';
import { QUERY_LIMITS } from '../http/tokens.js';
import { pageOf } from '../page-cursor.js';
import { QueryPlanner } from '../planner/query-planner.js';
import { assertRangeWithin } from '@telemetryflow/http-kit';
import type { QueryLimits } from '../query-limits.js';
import { parseStepMs, parseString, parseTimeRange, type RawParams } from '../request-params.js';
import { logRowToDto, parseLogSearch } from './log-search.js';
import { volumeSeries } from './log-volume.js';
import { LogsRepository } from './logs.repository.js';

const NS_PER_MS = 1_000_000n;
/** Filters of the log search that rollups cannot answer: given any, the volume reads raw logs. */
const SEARCH_ONLY = new Set(['q', 'severity', 'minSeverity', 'traceId']);

@Injectable()
export class LogsService {
  constructor(
    @Inject(LogsRepository) private readonly repo: LogsRepository,
    @Inject(QueryPlanner) private readonly planner: QueryPlanner,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  /** One page, newest first, and the cursor of the next (absent on the last page). */
  async search(tenant: string, q: RawParams): Promise<{ data: LogDto[]; meta: { nextCursor?: string } }> {
    const s = parseLogSearch(q);
    assertRangeWithin(s, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const rows = await this.repo.search(tenant, { ...s, limit: s.limit + 1 });
    const { page, meta } = pageOf(rows, s.limit, (last) => ({ k: last.timeNs, id: last.rowHash, s: 'newest' }));
    return { data: page.map(logRowToDto), meta };
  }

  /** Record counts per step over exactly the search's filter (raw logs; cursor and limit ignored). */
  async histogram(tenant: string, q: RawParams): Promise<{ data: [number, number][]; meta: { stepSeconds: number } }> {
    const s = parseLogSearch(q);
    assertRangeWithin(s, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const stepMs = parseStepMs(q, s);
    const counts = new Map((await this.repo.histogram(tenant, s, stepMs)).map((r) => [r.bucket, r.count]));
    const points = bucketStarts(Number(s.fromNs / NS_PER_MS), Number(s.toNs / NS_PER_MS), stepMs).map(
      (t) => [t, counts.get(t) ?? 0] as [number, number],
    );
    return { data: points, meta: { stepSeconds: stepMs / 1000 } };
  }

  /**
   * Records per step by severity: of one service or all from rollups where the planner can, or —
   * given any other filter of the search (text, severity, trace id, attributes) — of raw logs
   * matching exactly that search, so a chart over a search counts the records it lists.
   */
  async volume(tenant: string, q: RawParams): Promise<{ data: LogVolumePointDto[]; meta: ResolutionMeta }> {
    const range = parseTimeRange(q);
    const stepMs = parseStepMs(q, range);
    if (Object.keys(q).some((k) => SEARCH_ONLY.has(k) || /^(attr|resource)\./.test(k))) {
      const s = parseLogSearch(q);
      assertRangeWithin(s, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
      const rows = await this.repo.searchVolume(tenant, s, stepMs);
      return {
        data: volumeSeries(rows, Number(range.fromNs / NS_PER_MS), Number(range.toNs / NS_PER_MS), stepMs),
        meta: { resolution: 'raw', stepSeconds: stepMs / 1000 },
      };
    }
    const service = parseString(q, 'service');
    const plan = await this.planner.plan(tenant, 'logs', range, q, stepMs);
    const rows = await this.repo.volume(tenant, service, plan, stepMs);
    return {
      data: volumeSeries(rows, Number(range.fromNs / NS_PER_MS), Number(range.toNs / NS_PER_MS), stepMs),
      meta: { resolution: plan.resolution, stepSeconds: stepMs / 1000 },
    };
  }
}
