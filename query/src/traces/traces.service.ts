import { Inject, Injectable } from '@nestjs/common';
import type { TraceDto, TraceSummaryDto } from '@telemetryflow/schemas';
import { invalidParameter, notFound, resultTooLarge } from '../http/api-error.js';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import {
  msToNs, parseEnum, parseHexId, parseInteger, parseNonNegativeNumber, parseString, parseTimeRange, type RawParams,
} from '../request-params.js';
import { spanRowToDto } from './span-mapping.js';
import { TracesRepository, type TraceSearch } from './traces.repository.js';

export const DEFAULT_TRACE_LIMIT = 20;
export const MAX_TRACE_LIMIT = 1000;

/** Pure: query string → trace search. */
export function parseTraceSearch(q: RawParams, nowMs = Date.now()): TraceSearch {
  const minMs = parseNonNegativeNumber(q, 'minDurationMs');
  const maxMs = parseNonNegativeNumber(q, 'maxDurationMs');
  if (minMs !== undefined && maxMs !== undefined && minMs > maxMs) throw invalidParameter('minDurationMs', 'must not exceed maxDurationMs');
  const service = parseString(q, 'service');
  const operation = parseString(q, 'operation');
  const status = parseEnum(q, 'status', ['ok', 'error'] as const);
  return {
    ...parseTimeRange(q, nowMs),
    ...(service !== undefined ? { service } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(minMs !== undefined ? { minDurationNs: msToNs(minMs) } : {}),
    ...(maxMs !== undefined ? { maxDurationNs: msToNs(maxMs) } : {}),
    limit: parseInteger(q, 'limit', 1, MAX_TRACE_LIMIT) ?? DEFAULT_TRACE_LIMIT,
  };
}

@Injectable()
export class TracesService {
  constructor(
    @Inject(TracesRepository) private readonly repo: TracesRepository,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  async getTrace(tenant: string, rawTraceId: string): Promise<TraceDto> {
    const traceId = parseHexId(rawTraceId, 'traceId', 16);
    // The all-zero id is well-formed but invalid in OTLP, so no trace can have it: 404.
    if (/^0+$/.test(traceId)) throw notFound(`trace ${traceId} not found`);
    const bounds = await this.repo.traceBounds(tenant, traceId);
    if (!bounds) throw notFound(`trace ${traceId} not found`);
    const cap = this.limits.maxTraceSpans;
    const spans = await this.repo.traceSpans(tenant, traceId, bounds.startNs, bounds.endNs, cap + 1);
    if (spans.length === 0) throw notFound(`trace ${traceId} not found`);
    if (spans.length > cap) {
      throw resultTooLarge(`trace ${traceId} has more than ${cap} spans, more than one response returns`, cap);
    }
    return { traceId, spans: spans.map(spanRowToDto) };
  }

  searchTraces(tenant: string, q: RawParams): Promise<TraceSummaryDto[]> {
    return this.repo.searchTraces(tenant, parseTraceSearch(q));
  }
}
