import { Inject, Injectable } from '@nestjs/common';
import type { LogDto, SpanDto, TraceHeatmapCellDto, TraceSummaryDto } from '@telemetryflow/contract';
import { assertRangeWithin, invalidParameter, notFound, resultTooLarge } from '@telemetryflow/http-kit';
import { QUERY_LIMITS } from '../http/tokens.js';
import { logRowToDto } from '../logs/log-search.js';
import { attributeParams, decodeCursor, pageOf } from '../page-cursor.js';
import type { QueryLimits } from '../query-limits.js';
import {
  msToNs,
  parseEnum,
  parseHexId,
  parseInteger,
  parseNonNegativeNumber,
  parseStepMs,
  parseString,
  parseTimeRange,
  type RawParams,
} from '../request-params.js';
import { spanRowToDto } from './span-mapping.js';
import { TracesRepository, type TraceSearch } from './traces.repository.js';

export const DEFAULT_TRACE_LIMIT = 20;
export const MAX_TRACE_LIMIT = 1000;
/** Logs of a trace may be stamped a little outside its spans (clock skew, async work). */
const TRACE_LOG_SLACK_NS = 5n * 60n * 1_000_000_000n;

/** Pure: query string → trace search (the page size plus one, to know whether more follow). */
export function parseTraceSearch(q: RawParams, nowMs = Date.now()): TraceSearch {
  const minMs = parseNonNegativeNumber(q, 'minDurationMs');
  const maxMs = parseNonNegativeNumber(q, 'maxDurationMs');
  if (minMs !== undefined && maxMs !== undefined && minMs > maxMs)
    throw invalidParameter('minDurationMs', 'must not exceed maxDurationMs');
  const service = parseString(q, 'service');
  const operation = parseString(q, 'operation');
  const status = parseEnum(q, 'status', ['ok', 'error'] as const);
  const sort = parseEnum(q, 'sort', ['newest', 'slowest'] as const) ?? 'newest';
  const cursor = decodeCursor(parseString(q, 'cursor', 512), sort);
  return {
    ...parseTimeRange(q, nowMs),
    ...(service !== undefined ? { service } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(minMs !== undefined ? { minDurationNs: msToNs(minMs) } : {}),
    ...(maxMs !== undefined ? { maxDurationNs: msToNs(maxMs) } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    attributes: attributeParams(q),
    sort,
    limit: parseInteger(q, 'limit', 1, MAX_TRACE_LIMIT) ?? DEFAULT_TRACE_LIMIT,
  };
}

export interface TraceWithLogs {
  traceId: string;
  spans: SpanDto[];
  logs?: LogDto[];
}

@Injectable()
export class TracesService {
  constructor(
    @Inject(TracesRepository) private readonly repo: TracesRepository,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  /** Whether the tenant has any trace stored. */
  anyStored(tenant: string): Promise<boolean> {
    return this.repo.anyTrace(tenant);
  }

  async getTrace(tenant: string, rawTraceId: string, include?: 'logs'): Promise<TraceWithLogs> {
    const traceId = parseHexId(rawTraceId, 'traceId', 16);
    // The all-zero id is well-formed but invalid in OTLP, so no trace can have it: 404.
    if (/^0+$/.test(traceId)) throw notFound(`trace ${traceId} not found`);
    const cap = this.limits.maxTraceSpans;
    const at = await this.repo.traceLocation(tenant, traceId);
    if (!at) throw notFound(`trace ${traceId} not found`);
    const [spans, logs] = await Promise.all([
      this.repo.traceSpans(tenant, traceId, at, cap + 1),
      include === 'logs' ? this.repo.traceLogs(tenant, traceId, at, TRACE_LOG_SLACK_NS, cap + 1) : undefined,
    ]);
    if (spans.length === 0) throw notFound(`trace ${traceId} not found`);
    if (spans.length > cap) {
      throw resultTooLarge(`trace ${traceId} has more than ${cap} spans, more than one response returns`, cap);
    }
    if (logs && logs.length > cap)
      throw resultTooLarge(
        `trace ${traceId} has more than ${cap} log records; search them with GET /api/v1/logs?traceId=`,
        cap,
      );
    return { traceId, spans: spans.map(spanRowToDto), ...(logs ? { logs: logs.map(logRowToDto) } : {}) };
  }

  /** One page of traces and the cursor of the next (absent on the last page). */
  /** Every trace of a search per step and duration band (cursor, limit and sort ignored). */
  async heatmap(tenant: string, q: RawParams): Promise<{ data: TraceHeatmapCellDto[]; meta: { stepSeconds: number } }> {
    const search = parseTraceSearch(q);
    assertRangeWithin(search, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const stepMs = parseStepMs(q, search);
    return { data: await this.repo.traceHeatmap(tenant, search, stepMs), meta: { stepSeconds: stepMs / 1000 } };
  }

  async searchTraces(
    tenant: string,
    q: RawParams,
  ): Promise<{ data: TraceSummaryDto[]; meta: { nextCursor?: string } }> {
    const search = parseTraceSearch(q);
    assertRangeWithin(search, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const rows = await this.repo.searchTraces(tenant, { ...search, limit: search.limit + 1 });
    const { page, meta } = pageOf(rows, search.limit, (last) => ({
      k: last.sortKey,
      id: last.traceId,
      s: search.sort,
    }));
    return { data: page.map(({ sortKey: _k, ...summary }) => summary), meta };
  }
}
