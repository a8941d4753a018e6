import { Inject, Injectable } from '@nestjs/common';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { LOG_TABLES, plannedUnion, stepBucket } from '../planner/plan-sql.js';
import type { QueryPlan } from '../planner/query-plan.js';
import { logCount, SEVERITY_NAME, type VolumeRow } from './log-volume.js';
import { bodyWordCondition, type LogRow, type LogSearch } from './log-search.js';

@Injectable()
export class LogsRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** Newest first. Body words match case-insensitively in Unicode (see bodyWordCondition). */
  async search(tenant: string, s: LogSearch): Promise<LogRow[]> {
    const where = [
      'TenantId = {tenant:String}',
      'Timestamp >= fromUnixTimestamp64Nano({fromNs:Int64})',
      'Timestamp <= fromUnixTimestamp64Nano({toNs:Int64})',
    ];
    const params: Record<string, unknown> = { tenant, fromNs: s.fromNs, toNs: s.toNs, limit: s.limit };
    if (s.service !== undefined) {
      where.push('ServiceName = {service:String}');
      params.service = s.service;
    }
    if (s.severity !== undefined) {
      where.push('lower(SeverityText) = lower({severity:String})');
      params.severity = s.severity;
    }
    if (s.traceId !== undefined) {
      where.push('TraceId = unhex({traceId:String})');
      params.traceId = s.traceId;
    }
    s.words.forEach((w, i) => {
      where.push(bodyWordCondition(`w${i}`));
      params[`w${i}`] = w;
    });
    return this.ch.select<LogRow>(`SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS timeNs, toString(toUnixTimestamp64Nano(ObservedTimestamp)) AS observedNs,
              SeverityNumber, SeverityText, Body, BodyType, ServiceName,
              lower(hex(TraceId)) AS traceId, lower(hex(SpanId)) AS spanId,
              Attributes, AttributeTypes, ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion
       FROM logs
       WHERE ${where.join(' AND ')}
       ORDER BY Timestamp DESC
       LIMIT {limit:UInt32}`,
      params,
    );
  }

  /** Records per step of `stepMs` and severity, of one service or all. */
  async volume(tenant: string, service: string | undefined, plan: QueryPlan, stepMs: number): Promise<VolumeRow[]> {
    const { union, params } = plannedUnion(plan, LOG_TABLES, (s) => ({
      select: `${stepBucket(s, LOG_TABLES)} AS bucket, ${SEVERITY_NAME} AS severity, ${logCount(s)}`,
      ...(service !== undefined ? { where: 'ServiceName = {service:String}' } : {}),
      groupBy: 'bucket, severity',
    }));
    const rows = await this.ch.select<{ bucket: string; severity: string; n: string }>(`SELECT bucket, severity, sum(n) AS n FROM (${union}) GROUP BY bucket, severity ORDER BY bucket, severity`,
      { ...params, tenant, stepMs, ...(service !== undefined ? { service } : {}) },
    );
    return rows.map((r) => ({ bucket: toNumber(r.bucket), severity: r.severity, count: toNumber(r.n) }));
  }
}
