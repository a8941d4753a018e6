import { Inject, Injectable } from '@nestjs/common';
import { RAW_TABLES } from '@telemetryflow/clickhouse';
import type { TraceHeatmapCellDto, TraceSummaryDto } from '@telemetryflow/contract';
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

const RANGE =
  'StartTime >= fromUnixTimestamp64Nano({fromNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({toNs:Int64})';
/** Root spans sort first (false < true), then the earliest span. */
const ROOT_ORDER = "(ParentSpanId != toFixedString('', 8), StartTime)";
/**
 * The trace's time bounds from trace_index, a scalar ClickHouse evaluates first, so the
 * spans (or logs) query reads only the partitions and granules of that range in one round trip.
 */
const BOUNDS = `(SELECT (min(Start), max(End)) FROM ${RAW_TABLES.traceIndex} WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})) AS bounds`;
const START = 'toUnixTimestamp64Nano(min(StartTime))';
const ERROR = "StatusCode = 'STATUS_CODE_ERROR'";
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

/**
 * The trace-level conditions of a search, cursor aside: span filters (and errors) pick trace
 * ids first, where attribute skip indexes apply; status `ok` and durations are of the trace.
 */
function traceMatch(
  tenant: string,
  s: TraceSearch,
): { matching: string[]; having: string[]; params: Record<string, unknown> } {
  const having: string[] = [];
  const params: Record<string, unknown> = { tenant, fromNs: s.fromNs, toNs: s.toNs };
  const spans = spanConditions(s);
  Object.assign(params, spans.params);
  const matching: string[] = [];
  if (spans.sql)
    matching.push(
      `TraceId IN (SELECT TraceId FROM ${RAW_TABLES.spans} WHERE TenantId = {tenant:String} AND ${RANGE} AND ${spans.sql})`,
    );
  if (s.status === 'error')
    matching.push(
      `TraceId IN (SELECT TraceId FROM ${RAW_TABLES.spans} WHERE TenantId = {tenant:String} AND ${RANGE} AND ${ERROR})`,
    );
  if (s.status === 'ok') having.push(`countIf(${ERROR}) = 0`);
  if (s.minDurationNs !== undefined) {
    having.push(`${DURATION} >= {minDurationNs:Int64}`);
    params.minDurationNs = s.minDurationNs;
  }
  if (s.maxDurationNs !== undefined) {
    having.push(`${DURATION} <= {maxDurationNs:Int64}`);
    params.maxDurationNs = s.maxDurationNs;
  }
  return { matching, having, params };
}

/** ClickHouse I/O for spans and trace_index. Every query is bound to one tenant. */
@Injectable()
export class TracesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** Whether the tenant has a trace stored at all (one granule of the index, read from its tenant prefix). */
  async anyTrace(tenant: string): Promise<boolean> {
    const rows = await this.ch.select<{ one: number }>(
      `SELECT 1 AS one FROM ${RAW_TABLES.traceIndex} WHERE TenantId = {tenant:String} LIMIT 1`,
      { tenant },
    );
    return rows.length > 0;
  }

  /** The trace's spans in start order, at most `limit` (callers pass their cap + 1); none when the tenant has no such trace. */
  async traceSpans(tenant: string, traceId: string, limit: number): Promise<SpanRow[]> {
    return this.ch.select<SpanRow>(
      `WITH ${BOUNDS}
       SELECT ${SPAN_COLUMNS} FROM ${RAW_TABLES.spans}
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String}) AND StartTime >= bounds.1 AND StartTime <= bounds.2
       ORDER BY StartTime, SpanId
       LIMIT {limit:UInt32}`,
      { tenant, traceId, limit },
    );
  }

  /** Log records of a trace within its bounds widened by `slackNs`, oldest first, at most `limit`. */
  async traceLogs(tenant: string, traceId: string, slackNs: bigint, limit: number): Promise<LogRow[]> {
    return this.ch.select<LogRow>(
      `WITH ${BOUNDS}
       SELECT ${LOG_COLUMNS} FROM ${RAW_TABLES.logs}
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})
         AND Timestamp >= bounds.1 - toIntervalNanosecond({slackNs:Int64}) AND Timestamp <= bounds.2 + toIntervalNanosecond({slackNs:Int64})
       ORDER BY Timestamp
       LIMIT {limit:UInt32}`,
      { tenant, traceId, slackNs, limit },
    );
  }

  /**
   * Traces with a span starting in the range. Service, operation and attributes must match
   * one span of the trace; status and duration (first start to last end of the spans in
   * range) are of the trace. Ordered newest or slowest first, then by trace id, and resumed
   * strictly after a cursor in that order. At most `limit` rows (callers pass page size + 1).
   *
   * Two steps: the page's trace ids by their sort key alone (grouping every trace of the
   * range by one aggregate is cheap), then the summaries of only those traces. The ids go
   * back as FixedString(16): as Strings, IN would compare them with the column converted to
   * String, which drops trailing zero bytes, and miss every id ending in 00.
   */
  async searchTraces(tenant: string, s: TraceSearch): Promise<(TraceSummaryDto & { sortKey: string })[]> {
    const { matching, having, params } = traceMatch(tenant, s);
    params.limit = s.limit;
    const sort = SORTS[s.sort];
    if (s.cursor) {
      having.push(
        `(${sort.key} < {cursorKey:Int64} OR (${sort.key} = {cursorKey:Int64} AND lower(hex(TraceId)) > {cursorId:String}))`,
      );
      params.cursorKey = s.cursor.k;
      params.cursorId = s.cursor.id;
    }
    const pageQuery = (extraWhere: string[], extraHaving: string[], extraParams: Record<string, unknown>) =>
      this.ch.select<{ traceId: string; sortKey: string }>(
        `SELECT lower(hex(TraceId)) AS traceId, toString(${sort.key}) AS sortKey
         FROM ${RAW_TABLES.spans} WHERE ${['TenantId = {tenant:String}', RANGE, ...matching, ...extraWhere].join(' AND ')}
         GROUP BY TraceId
         ${having.length + extraHaving.length > 0 ? `HAVING ${[...having, ...extraHaving].join(' AND ')}` : ''}
         ORDER BY ${sort.order}
         LIMIT {limit:UInt32}`,
        { ...params, ...extraParams },
      );
    // Selective filters already narrow the traces to group; the window pays off without them.
    const page =
      s.sort === 'newest' && matching.length === 0 ? await this.newestPage(s, pageQuery) : await pageQuery([], [], {});
    if (page.length === 0) return [];
    const rows = await this.ch.select<
      Omit<TraceSummaryDto, 'spanCount' | 'errorCount'> & { spanCount: string; errorCount: string }
    >(
      `SELECT lower(hex(TraceId)) AS traceId,
              argMin(ServiceName, ${ROOT_ORDER}) AS rootServiceName,
              argMin(Name, ${ROOT_ORDER}) AS rootName,
              toString(${START}) AS startTimeUnixNano,
              toString(${DURATION}) AS durationNs,
              count() AS spanCount,
              countIf(${ERROR}) AS errorCount
       FROM ${RAW_TABLES.spans}
       WHERE TenantId = {tenant:String} AND ${RANGE} AND TraceId IN (SELECT toFixedString(unhex(arrayJoin({ids:Array(String)})), 16))
       GROUP BY TraceId`,
      { tenant, fromNs: s.fromNs, toNs: s.toNs, ids: page.map((p) => p.traceId) },
    );
    const byId = new Map(
      rows.map((r) => [r.traceId, { ...r, spanCount: toNumber(r.spanCount), errorCount: toNumber(r.errorCount) }]),
    );
    return page.flatMap((p) => {
      const summary = byId.get(p.traceId);
      return summary ? [{ ...summary, sortKey: p.sortKey }] : [];
    });
  }

  /**
   * Every trace a search matches (its cursor and limit aside), counted per step of its start
   * and per duration band: band `e` holds durations in [2^e, 2^(e+1)) ms (e ≥ -10, so
   * durations under a microsecond share the lowest). For a chart of the whole range.
   */
  async traceHeatmap(tenant: string, s: TraceSearch, stepMs: number): Promise<TraceHeatmapCellDto[]> {
    const { matching, having, params } = traceMatch(tenant, s);
    const rows = await this.ch.select<{ t: string; band: string; count: string; errors: string }>(
      `SELECT intDiv(intDiv(start, 1000000), {stepMs:Int64}) * {stepMs:Int64} AS t,
              toInt32(greatest(-10, floor(log2(greatest(duration, 1) / 1e6)))) AS band,
              count() AS count, countIf(failed) AS errors
       FROM (
         SELECT ${START} AS start, ${DURATION} AS duration, countIf(${ERROR}) > 0 AS failed
         FROM ${RAW_TABLES.spans} WHERE ${['TenantId = {tenant:String}', RANGE, ...matching].join(' AND ')}
         GROUP BY TraceId
         ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       )
       GROUP BY t, band ORDER BY t, band`,
      { ...params, stepMs },
    );
    return rows.map((r) => ({
      t: toNumber(r.t),
      band: toNumber(r.band),
      count: toNumber(r.count),
      errors: toNumber(r.errors),
    }));
  }

  /**
   * The newest page without grouping every trace of the range: traces whose first span
   * starts in a window [lo, upper] at the newest end (upper: the range's end or the
   * cursor's start) are exactly the newest ones once at least a page of them matches, since
   * each has that first span in the window. Their keys are computed over the whole range;
   * the window grows 4× until a page is full or it covers the range.
   */
  private async newestPage(
    s: TraceSearch,
    pageQuery: (
      where: string[],
      having: string[],
      params: Record<string, unknown>,
    ) => Promise<{ traceId: string; sortKey: string }[]>,
  ): Promise<{ traceId: string; sortKey: string }[]> {
    const upper = s.cursor ? BigInt(s.cursor.k) : s.toNs;
    let windowNs = (s.toNs - s.fromNs) / 64n + 1n;
    for (;;) {
      const lo = upper - windowNs > s.fromNs ? upper - windowNs : s.fromNs;
      if (lo === s.fromNs) return pageQuery([], [], {});
      const page = await pageQuery(
        [
          `TraceId IN (SELECT TraceId FROM ${RAW_TABLES.spans} WHERE TenantId = {tenant:String} AND StartTime >= fromUnixTimestamp64Nano({lo:Int64}) AND StartTime <= fromUnixTimestamp64Nano({upper:Int64}))`,
        ],
        [`${START} >= {lo:Int64}`],
        { lo, upper },
      );
      if (page.length >= s.limit) return page;
      windowNs *= 4n;
    }
  }
}
