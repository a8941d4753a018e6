import { Inject, Injectable } from '@nestjs/common';
import type { TraceSummaryDto } from '@telemetryflow/schemas';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { toNumber } from '../clickhouse-rows.js';
import type { LogRow } from '../logs/log-search.js';
import { LOG_COLUMNS } from '../logs/logs.repository.js';
import type { PageCursor } from '../page-cursor.js';
import { allOf, type SqlPart } from '../query-runner/filter-sql.js';
import { spanFilter } from '../query-runner/span-series.js';
import type { TimeRange } from '../request-params.js';
import { SPAN_COLUMNS, type SpanRow } from './span-mapping.js';

export interface TraceSearch extends TimeRange {
  service?: string;
  operation?: string;
  /** `attr.<key>` / `resource.<key>` equalities; with service and operation, one span must match all. */
  attributes: { label: string; value: string }[];
  status?: 'ok' | 'error';
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  sort: 'newest' | 'slowest';
  cursor?: PageCursor;
  limit: number;
}

const RANGE = 'StartTime >= fromUnixTimestamp64Nano({fromNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({toNs:Int64})';
/** Root spans sort first (false < true), then the earliest span. */
const ROOT_ORDER = '(ParentSpanId != toFixedString(\'\', 8), StartTime)';
const START = 'toUnixTimestamp64Nano(min(StartTime))';
const DURATION = 'toUnixTimestamp64Nano(max(EndTime)) - toUnixTimestamp64Nano(min(StartTime))';
/** Sort key per order: the value compared with a cursor, and the ORDER BY. */
const SORTS = {
  newest: { key: START, order: `${START} DESC, traceId` },
  slowest: { key: DURATION, order: `${DURATION} DESC, traceId` },
} as const;

/** The span-level conditions of a search: all on one span. */
export function spanConditions(s: TraceSearch): SqlPart {
  const filters = [
    ...(s.service !== undefined ? [{ label: 'service', value: s.service }] : []),
    ...(s.operation !== undefined ? [{ label: 'operation', value: s.operation }] : []),
    ...s.attributes,
  ];
  return allOf(filters.map((f, i) => spanFilter({ label: f.label, op: '=', value: f.value }, i, 'raw')));
}

/** ClickHouse I/O for spans and trace_index. Every query is bound to one tenant. */
@Injectable()
export class TracesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** The trace's time bounds from trace_index, or null when this tenant has no such trace. */
  async traceBounds(tenant: string, traceId: string): Promise<{ startNs: string; endNs: string } | null> {
    const [row] = await this.ch.select<{ n: string; startNs: string; endNs: string }>(
      `SELECT count() AS n, toString(toUnixTimestamp64Nano(min(Start))) AS startNs, toString(toUnixTimestamp64Nano(max(End))) AS endNs
       FROM trace_index WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})`,
      { tenant, traceId },
    );
    return row && toNumber(row.n) > 0 ? { startNs: row.startNs, endNs: row.endNs } : null;
  }

  /** The trace's spans in start order, at most `limit` (callers pass their cap + 1). */
  async traceSpans(tenant: string, traceId: string, startNs: string, endNs: string, limit: number): Promise<SpanRow[]> {
    return this.ch.select<SpanRow>(
      `SELECT ${SPAN_COLUMNS} FROM spans
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})
         AND StartTime >= fromUnixTimestamp64Nano({startNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({endNs:Int64})
       ORDER BY StartTime, SpanId
       LIMIT {limit:UInt32}`,
      { tenant, traceId, startNs, endNs, limit },
    );
  }

  /** Log records of a trace between the bounds (the caller widens them), oldest first, at most `limit`. */
  async traceLogs(tenant: string, traceId: string, fromNs: bigint, toNs: bigint, limit: number): Promise<LogRow[]> {
    return this.ch.select<LogRow>(
      `SELECT ${LOG_COLUMNS} FROM logs
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})
         AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({toNs:Int64})
       ORDER BY Timestamp
       LIMIT {limit:UInt32}`,
      { tenant, traceId, fromNs, toNs, limit },
    );
  }

  /**
   * Traces with a span starting in the range. Service, operation and attributes must match
   * one span of the trace; status and duration (first start to last end of the spans in
   * range) are of the trace. Ordered newest or slowest first, then by trace id, and resumed
   * strictly after a cursor in that order. At most `limit` rows (callers pass page size + 1).
   */
  async searchTraces(tenant: string, s: TraceSearch): Promise<(TraceSummaryDto & { sortKey: string })[]> {
    const having: string[] = [];
    const params: Record<string, unknown> = { tenant, fromNs: s.fromNs, toNs: s.toNs, limit: s.limit };
    const spans = spanConditions(s);
    Object.assign(params, spans.params);
    if (s.status === 'error') having.push("countIf(StatusCode = 'STATUS_CODE_ERROR') > 0");
    if (s.status === 'ok') having.push("countIf(StatusCode = 'STATUS_CODE_ERROR') = 0");
    if (s.minDurationNs !== undefined) {
      having.push(`${DURATION} >= {minDurationNs:Int64}`);
      params.minDurationNs = s.minDurationNs;
    }
    if (s.maxDurationNs !== undefined) {
      having.push(`${DURATION} <= {maxDurationNs:Int64}`);
      params.maxDurationNs = s.maxDurationNs;
    }
    const sort = SORTS[s.sort];
    if (s.cursor) {
      having.push(`(${sort.key} < {cursorKey:Int64} OR (${sort.key} = {cursorKey:Int64} AND lower(hex(TraceId)) > {cursorId:String}))`);
      params.cursorKey = s.cursor.k;
      params.cursorId = s.cursor.id;
    }
    // Span-level filters pick trace ids first (skip indexes on attributes apply), then the
    // summaries group only those traces.
    const matching = spans.sql ? ` AND TraceId IN (SELECT TraceId FROM spans WHERE TenantId = {tenant:String} AND ${RANGE} AND ${spans.sql})` : '';
    const rows = await this.ch.select<Omit<TraceSummaryDto, 'spanCount' | 'errorCount'> & { spanCount: string; errorCount: string; sortKey: string }>(
      `SELECT lower(hex(TraceId)) AS traceId,
              argMin(ServiceName, ${ROOT_ORDER}) AS rootServiceName,
              argMin(Name, ${ROOT_ORDER}) AS rootName,
              toString(${START}) AS startTimeUnixNano,
              toString(${DURATION}) AS durationNs,
              count() AS spanCount,
              countIf(StatusCode = 'STATUS_CODE_ERROR') AS errorCount,
              toString(${sort.key}) AS sortKey
       FROM spans
       WHERE TenantId = {tenant:String} AND ${RANGE}${matching}
       GROUP BY TraceId
       ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       ORDER BY ${sort.order}
       LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({ ...r, spanCount: toNumber(r.spanCount), errorCount: toNumber(r.errorCount) }));
  }
}
