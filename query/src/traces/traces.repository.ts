import { Inject, Injectable } from '@nestjs/common';
import type { TraceSummaryDto } from '@telemetryflow/schemas';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import type { TimeRange } from '../request-params.js';
import { SPAN_COLUMNS, type SpanRow } from './span-mapping.js';

export interface TraceSearch extends TimeRange {
  service?: string;
  operation?: string;
  status?: 'ok' | 'error';
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  limit: number;
}

const RANGE = 'StartTime >= fromUnixTimestamp64Nano({fromNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({toNs:Int64})';
/** Root spans sort first (false < true), then the earliest span. */
const ROOT_ORDER = '(ParentSpanId != toFixedString(\'\', 8), StartTime)';

/** ClickHouse I/O for spans and trace_index. Every query is bound to one tenant. */
@Injectable()
export class TracesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** The trace's time bounds from trace_index, or null when this tenant has no such trace. */
  async traceBounds(tenant: string, traceId: string): Promise<{ startNs: string; endNs: string } | null> {
    const [row] = await this.ch.select<{ n: string; startNs: string; endNs: string }>(`SELECT count() AS n, toString(toUnixTimestamp64Nano(min(Start))) AS startNs, toString(toUnixTimestamp64Nano(max(End))) AS endNs
       FROM trace_index WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})`,
      { tenant, traceId },
    );
    return row && toNumber(row.n) > 0 ? { startNs: row.startNs, endNs: row.endNs } : null;
  }

  /** The trace's spans in start order, at most `limit` (callers pass their cap + 1). */
  async traceSpans(tenant: string, traceId: string, startNs: string, endNs: string, limit: number): Promise<SpanRow[]> {
    return this.ch.select<SpanRow>(`SELECT ${SPAN_COLUMNS} FROM spans
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})
         AND StartTime >= fromUnixTimestamp64Nano({startNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({endNs:Int64})
       ORDER BY StartTime, SpanId
       LIMIT {limit:UInt32}`,
      { tenant, traceId, startNs, endNs, limit },
    );
  }

  /**
   * Traces with a span starting in the range, newest first. Service and operation match
   * any span of the trace; duration is first start to last end of the spans in range.
   */
  async searchTraces(tenant: string, s: TraceSearch): Promise<TraceSummaryDto[]> {
    const having: string[] = [];
    const params: Record<string, unknown> = { tenant, fromNs: s.fromNs, toNs: s.toNs, limit: s.limit };
    if (s.service !== undefined && s.operation !== undefined) {
      having.push('countIf(ServiceName = {service:String} AND Name = {operation:String}) > 0');
    } else if (s.service !== undefined) {
      having.push('countIf(ServiceName = {service:String}) > 0');
    } else if (s.operation !== undefined) {
      having.push('countIf(Name = {operation:String}) > 0');
    }
    if (s.service !== undefined) params.service = s.service;
    if (s.operation !== undefined) params.operation = s.operation;
    if (s.status === 'error') having.push("countIf(StatusCode = 'STATUS_CODE_ERROR') > 0");
    if (s.status === 'ok') having.push("countIf(StatusCode = 'STATUS_CODE_ERROR') = 0");
    const duration = 'toUnixTimestamp64Nano(max(EndTime)) - toUnixTimestamp64Nano(min(StartTime))';
    if (s.minDurationNs !== undefined) {
      having.push(`${duration} >= {minDurationNs:Int64}`);
      params.minDurationNs = s.minDurationNs;
    }
    if (s.maxDurationNs !== undefined) {
      having.push(`${duration} <= {maxDurationNs:Int64}`);
      params.maxDurationNs = s.maxDurationNs;
    }
    const rows = await this.ch.select<Omit<TraceSummaryDto, 'spanCount' | 'errorCount'> & { spanCount: string; errorCount: string }>(`SELECT lower(hex(TraceId)) AS traceId,
              argMin(ServiceName, ${ROOT_ORDER}) AS rootServiceName,
              argMin(Name, ${ROOT_ORDER}) AS rootName,
              toString(toUnixTimestamp64Nano(min(StartTime))) AS startTimeUnixNano,
              toString(${duration}) AS durationNs,
              count() AS spanCount,
              countIf(StatusCode = 'STATUS_CODE_ERROR') AS errorCount
       FROM spans
       WHERE TenantId = {tenant:String} AND ${RANGE}
       GROUP BY TraceId
       ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       ORDER BY min(StartTime) DESC, traceId
       LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({ ...r, spanCount: toNumber(r.spanCount), errorCount: toNumber(r.errorCount) }));
  }
}
