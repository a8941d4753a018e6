import { Inject, Injectable } from '@nestjs/common';
import { RAW_TABLES } from '@telemetryflow/clickhouse';
import { ATTRIBUTED_COLUMNS, toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { LOG_TABLES, plannedUnion, stepBucket } from '../planner/plan-sql.js';
import type { QueryPlan } from '../planner/query-plan.js';
import { logCount, SEVERITY_NAME, type VolumeRow } from './log-volume.js';
import type { LogRow, LogSearch } from './log-search.js';
import { allOf, type SqlPart } from '../query-runner/filter-sql.js';
import { logConditions } from '../query-runner/log-series.js';

/** Columns of a log record as LogRow reads them. */
export const LOG_COLUMNS = `toString(toUnixTimestamp64Nano(Timestamp)) AS timeNs, toString(toUnixTimestamp64Nano(ObservedTimestamp)) AS observedNs,
  SeverityNumber, SeverityText, Body, BodyType, ServiceName, lower(hex(TraceId)) AS traceId, lower(hex(SpanId)) AS spanId,
  EventName, Flags, DroppedAttributesCount, ${ATTRIBUTED_COLUMNS}`;

/** Tie-breaker of records with one timestamp: fixed-width hex, so string order is numeric order. */
const ROW_HASH =
  "leftPad(lower(hex(cityHash64(ObservedTimestamp, SpanId, ServiceName, SeverityNumber, Body, Attributes))), 16, '0')";

/** Every condition of a search except tenant, time and cursor; `TRUE` when none. */
export function logSearchConditions(s: LogSearch): SqlPart[] {
  const parts: SqlPart[] = [{ sql: '1', params: {} }];
  if (s.service !== undefined) parts.push({ sql: 'ServiceName = {service:String}', params: { service: s.service } });
  if (s.severity !== undefined)
    parts.push({ sql: 'lower(SeverityText) = lower({severity:String})', params: { severity: s.severity } });
  if (s.traceId !== undefined) parts.push({ sql: 'TraceId = unhex({traceId:String})', params: { traceId: s.traceId } });
  parts.push(
    ...logConditions(
      {
        ...(s.minSeverity !== undefined ? { minSeverity: s.minSeverity } : {}),
        ...(s.text !== undefined ? { search: s.text } : {}),
        filters: s.attributes.map((a) => ({ label: a.label, op: '=' as const, value: a.value })),
      },
      'q',
    ),
  );
  return parts;
}

@Injectable()
export class LogsRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /**
   * Newest first, ties in a fixed order by a hash of the row, resumed strictly after a
   * cursor. Body terms match case-insensitively in Unicode (see text-search.ts).
   */
  async search(tenant: string, s: LogSearch): Promise<(LogRow & { rowHash: string })[]> {
    const where = logSearchConditions(s);
    if (s.cursor) {
      where.push({
        sql: `(Timestamp < fromUnixTimestamp64Nano({cursorKey:Int64}) OR (Timestamp = fromUnixTimestamp64Nano({cursorKey:Int64}) AND ${ROW_HASH} < {cursorId:String}))`,
        params: { cursorKey: s.cursor.k, cursorId: s.cursor.id },
      });
    }
    const cond = allOf(where);
    return this.ch.select<LogRow & { rowHash: string }>(
      `SELECT ${LOG_COLUMNS}, ${ROW_HASH} AS rowHash
       FROM ${RAW_TABLES.logs}
       WHERE TenantId = {tenant:String} AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({toNs:Int64})
         AND ${cond.sql}
       ORDER BY Timestamp DESC, rowHash DESC
       LIMIT {limit:UInt32}`,
      { ...cond.params, tenant, fromNs: s.fromNs, toNs: s.toNs, limit: s.limit },
    );
  }

  /** Records per step of `stepMs` matching a search (its cursor and limit aside). */
  async histogram(tenant: string, s: LogSearch, stepMs: number): Promise<{ bucket: number; count: number }[]> {
    const cond = allOf(logSearchConditions(s));
    const rows = await this.ch.select<{ bucket: string; n: string }>(
      `SELECT intDiv(toUnixTimestamp64Milli(Timestamp), {stepMs:Int64}) * {stepMs:Int64} AS bucket, count() AS n
       FROM ${RAW_TABLES.logs}
       WHERE TenantId = {tenant:String} AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({toNs:Int64})
         AND ${cond.sql}
       GROUP BY bucket ORDER BY bucket`,
      { ...cond.params, tenant, fromNs: s.fromNs, toNs: s.toNs, stepMs },
    );
    return rows.map((r) => ({ bucket: toNumber(r.bucket), count: toNumber(r.n) }));
  }

  /** Records per step of `stepMs` and severity matching a search (raw logs; its cursor and limit aside). */
  async searchVolume(tenant: string, s: LogSearch, stepMs: number): Promise<VolumeRow[]> {
    const cond = allOf(logSearchConditions(s));
    const rows = await this.ch.select<{ bucket: string; severity: string; n: string }>(
      `SELECT intDiv(toUnixTimestamp64Milli(Timestamp), {stepMs:Int64}) * {stepMs:Int64} AS bucket, ${SEVERITY_NAME} AS severity, count() AS n
       FROM ${RAW_TABLES.logs}
       WHERE TenantId = {tenant:String} AND Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({toNs:Int64})
         AND ${cond.sql}
       GROUP BY bucket, severity ORDER BY bucket, severity`,
      { ...cond.params, tenant, fromNs: s.fromNs, toNs: s.toNs, stepMs },
    );
    return rows.map((r) => ({ bucket: toNumber(r.bucket), severity: r.severity, count: toNumber(r.n) }));
  }

  /** Records per step of `stepMs` and severity, of one service or all. */
  async volume(tenant: string, service: string | undefined, plan: QueryPlan, stepMs: number): Promise<VolumeRow[]> {
    const { union, params } = plannedUnion(plan, LOG_TABLES, (s) => ({
      select: `${stepBucket(s, LOG_TABLES)} AS bucket, ${SEVERITY_NAME} AS severity, ${logCount(s)}`,
      ...(service !== undefined ? { where: 'ServiceName = {service:String}' } : {}),
      groupBy: 'bucket, severity',
    }));
    const rows = await this.ch.select<{ bucket: string; severity: string; n: string }>(
      `SELECT bucket, severity, sum(n) AS n FROM (${union}) GROUP BY bucket, severity ORDER BY bucket, severity`,
      { ...params, tenant, stepMs, ...(service !== undefined ? { service } : {}) },
    );
    return rows.map((r) => ({ bucket: toNumber(r.bucket), severity: r.severity, count: toNumber(r.n) }));
  }
}
