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
 * A trace's row in trace_index: its time bounds and the (service, operation) pairs of its
 * spans. `exact` when every index row of the trace has its pairs (rows written before
 * migration 0020 have none, and then the trace is read the old way).
 */
export interface TraceLocation {
  startNs: string;
  endNs: string;
  services: string[];
  names: string[];
  exact: boolean;
}

/**
 * More pairs than this (span names with ids in them) are read the old way: the exact ranges
 * would be as many key ranges, and the pairs travel as query parameters.
 */
export const MAX_EXACT_PAIRS = 500;

const SPAN_RANGE =
  'StartTime >= fromUnixTimestamp64Nano({startNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({endNs:Int64})';
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

/**
 * The spans of a located trace. Exact: spans is sorted by (tenant, service, operation,
 * second), so the trace's pairs within its seconds are a granule or two per pair and part
 * whatever the table holds, and the trace id is checked on those rows first (PREWHERE).
 * Otherwise (trace_index rows from before migration 0020) the trace's time range and the
 * trace id's bloom filter, tested on every granule of that range.
 */
export function traceSpansQuery(
  tenant: string,
  traceId: string,
  at: TraceLocation,
  limit: number,
): { query: string; params: Record<string, unknown> } {
  const pairs = at.exact
    ? 'AND (ServiceName, Name) IN (SELECT arrayJoin(arrayZip({services:Array(String)}, {names:Array(String)})))'
    : '';
  return {
    query: `SELECT ${SPAN_COLUMNS} FROM ${RAW_TABLES.spans}
       PREWHERE TraceId = unhex({traceId:String})
       WHERE TenantId = {tenant:String} ${pairs} AND ${SPAN_RANGE}
       ORDER BY StartTime, SpanId
       LIMIT {limit:UInt32}`,
    params: {
      tenant,
      traceId,
      startNs: at.startNs,
      endNs: at.endNs,
      ...(at.exact ? { services: at.services, names: at.names } : {}),
      limit,
    },
  };
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

  /** Where the tenant's trace is, or undefined when trace_index does not know it. */
  async traceLocation(tenant: string, traceId: string): Promise<TraceLocation | undefined> {
    const [row] = await this.ch.select<{
      rows: string;
      startNs: string;
      endNs: string;
      operations: [string, string][];
      complete: number | string;
    }>(
      `SELECT count() AS rows, toString(toUnixTimestamp64Nano(min(Start))) AS startNs, toString(toUnixTimestamp64Nano(max(End))) AS endNs,
              groupUniqArrayArray(Operations) AS operations, min(OperationsComplete) AS complete
       FROM ${RAW_TABLES.traceIndex} WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})`,
      { tenant, traceId },
    );
    if (!row || toNumber(row.rows) === 0) return undefined;
    return {
      startNs: row.startNs,
      endNs: row.endNs,
      services: row.operations.map((o) => o[0]),
      names: row.operations.map((o) => o[1]),
      exact: toNumber(row.complete) === 1 && row.operations.length > 0 && row.operations.length <= MAX_EXACT_PAIRS,
    };
  }

  /** The trace's spans in start order, at most `limit` (callers pass their cap + 1). */
  async traceSpans(tenant: string, traceId: string, at: TraceLocation, limit: number): Promise<SpanRow[]> {
    const { query, params } = traceSpansQuery(tenant, traceId, at, limit);
    return this.ch.select<SpanRow>(query, params);
  }

  /** Log records of a trace within its bounds widened by `slackNs`, oldest first, at most `limit`. */
  async traceLogs(
    tenant: string,
    traceId: string,
    at: TraceLocation,
    slackNs: bigint,
    limit: number,
  ): Promise<LogRow[]> {
    return this.ch.select<LogRow>(
      `SELECT ${LOG_COLUMNS} FROM ${RAW_TABLES.logs}
       WHERE TenantId = {tenant:String} AND TraceId = unhex({traceId:String})
         AND Timestamp >= fromUnixTimestamp64Nano({startNs:Int64}) - toIntervalNanosecond({slackNs:Int64})
         AND Timestamp <= fromUnixTimestamp64Nano({endNs:Int64}) + toIntervalNanosecond({slackNs:Int64})
       ORDER BY Timestamp
       LIMIT {limit:UInt32}`,
      { tenant, traceId, startNs: at.startNs, endNs: at.endNs, slackNs, limit },
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
