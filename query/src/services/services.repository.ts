import { Inject, Injectable } from '@nestjs/common';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { OPERATION_SPAN_TABLES, plannedUnion, SERVICE_SPAN_TABLES, stepBucket } from '../planner/plan-sql.js';
import type { QueryPlan } from '../planner/query-plan.js';
import { durationSketch, MERGED_QUANTILES, operationKeys, spanCounts } from './span-aggregates.js';

export interface ServiceRow {
  name: string;
  spanCount: number;
  errorCount: number;
}

export interface RedRow {
  bucket: number;
  count: number;
  errorCount: number;
  /** Duration quantiles (ns) at p50, p90, p95, p99. */
  q: number[];
}

export interface OperationRow extends Omit<RedRow, 'bucket'> {
  operation: string;
  kind: string;
}

/** Span aggregates over a query plan: raw spans and RED rollups merged in one query per request. */
@Injectable()
export class ServicesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** Services with spans in the plan's range, by name, at most `limit` (callers pass their cap + 1). */
  async services(tenant: string, plan: QueryPlan, limit: number): Promise<ServiceRow[]> {
    const { union, params } = plannedUnion(plan, SERVICE_SPAN_TABLES, (s) => ({ select: `ServiceName AS name, ${spanCounts(s)}`, groupBy: 'name' }));
    const rows = await this.ch.select<{ name: string; n: string; errors: string }>(`SELECT name, sum(n) AS n, sum(errors) AS errors FROM (${union}) GROUP BY name ORDER BY name LIMIT {limit:UInt32}`,
      { ...params, tenant, limit },
    );
    return rows.map((r) => ({ name: r.name, spanCount: toNumber(r.n), errorCount: toNumber(r.errors) }));
  }

  /** Per step of `stepMs`: span count, errors and duration quantiles of one service. */
  async red(tenant: string, service: string, plan: QueryPlan, stepMs: number): Promise<RedRow[]> {
    const { union, params } = plannedUnion(plan, SERVICE_SPAN_TABLES, (s) => ({
      select: `${stepBucket(s, SERVICE_SPAN_TABLES)} AS bucket, ${spanCounts(s)}, ${durationSketch(s)}`,
      where: 'ServiceName = {service:String}',
      groupBy: 'bucket',
    }));
    const rows = await this.ch.select<{ bucket: string; n: string; errors: string; q: number[] }>(`SELECT bucket, sum(n) AS n, sum(errors) AS errors, ${MERGED_QUANTILES} FROM (${union}) GROUP BY bucket ORDER BY bucket`,
      { ...params, tenant, service, stepMs },
    );
    return rows.map((r) => ({ bucket: toNumber(r.bucket), count: toNumber(r.n), errorCount: toNumber(r.errors), q: r.q }));
  }

  /** Per operation (span name and kind) of one service: count, errors, duration quantiles; busiest first. */
  async operations(tenant: string, service: string, plan: QueryPlan, limit: number): Promise<OperationRow[]> {
    const { union, params } = plannedUnion(plan, OPERATION_SPAN_TABLES, (s) => ({
      select: `${operationKeys(s)}, ${spanCounts(s)}, ${durationSketch(s)}`,
      where: 'ServiceName = {service:String}',
      groupBy: 'operation, kind',
    }));
    const rows = await this.ch.select<{ operation: string; kind: string; n: string; errors: string; q: number[] }>(`SELECT operation, kind, sum(n) AS n, sum(errors) AS errors, ${MERGED_QUANTILES} FROM (${union})
       GROUP BY operation, kind ORDER BY n DESC, operation, kind LIMIT {limit:UInt32}`,
      { ...params, tenant, service, limit },
    );
    return rows.map((r) => ({ operation: r.operation, kind: r.kind, count: toNumber(r.n), errorCount: toNumber(r.errors), q: r.q }));
  }
}
