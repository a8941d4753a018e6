import { Inject, Injectable } from '@nestjs/common';
import { toNumber } from '../clickhouse-rows.js';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { OPERATION_SPAN_TABLES, plannedUnion, SERVICE_SPAN_TABLES, stepBucket } from '../planner/plan-sql.js';
import type { QueryPlan } from '../planner/query-plan.js';
import {
  durationSketch,
  ENTRY_RED,
  entrySpans,
  MERGED_QUANTILES,
  operationKeys,
  serviceAndClass,
  spanCounts,
} from './span-aggregates.js';

/** A service's spans, and the RED of its entry spans. */
export interface ServiceRow {
  name: string;
  spanCount: number;
  /** Entry spans and the failed ones among them. */
  requestCount: number;
  errorCount: number;
  /** Duration quantiles (ns) of the entry spans at p50, p90, p95, p99. */
  q: number[];
  /** Which spans are its entry spans: server and consumer spans, else root spans. */
  entryClass: 'server_consumer' | 'root';
}

export interface RedRow {
  service: string;
  bucket: number;
  count: number;
  errorCount: number;
  /** Duration quantiles (ns) at p50, p90, p95, p99. */
  q: number[];
}

export interface OperationRow extends Omit<RedRow, 'service' | 'bucket'> {
  operation: string;
  kind: string;
}

/** Span aggregates over a query plan: raw spans and RED rollups merged in one query per request. */
@Injectable()
export class ServicesRepository {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** Services with spans in the plan's range, by name, at most `limit` (callers pass their cap + 1). */
  async services(tenant: string, plan: QueryPlan, limit: number): Promise<ServiceRow[]> {
    const { union, params } = plannedUnion(plan, SERVICE_SPAN_TABLES, (s) => ({
      select: `${serviceAndClass(s, SERVICE_SPAN_TABLES)}, ${spanCounts(s)}, ${durationSketch(s)}`,
      groupBy: 'service, class',
    }));
    const rows = await this.ch.select<{
      name: string;
      spans: string;
      requests: string;
      failed: string;
      quantiles: number[];
      entryClass: ServiceRow['entryClass'];
    }>(
      `SELECT service AS name, sum(n) AS spans, ${ENTRY_RED}, any(entryClass) AS entryClass
       FROM (${entrySpans(union)}) GROUP BY service ORDER BY name LIMIT {limit:UInt32}`,
      { ...params, tenant, limit },
    );
    return rows.map((r) => ({
      name: r.name,
      spanCount: toNumber(r.spans),
      requestCount: toNumber(r.requests),
      errorCount: toNumber(r.failed),
      q: r.quantiles,
      entryClass: r.entryClass,
    }));
  }

  /**
   * Per service and step of `stepMs`: requests (entry spans), failed ones and their duration
   * quantiles, of the services named, in one query; by service, then step.
   */
  async red(tenant: string, services: readonly string[], plan: QueryPlan, stepMs: number): Promise<RedRow[]> {
    const { union, params } = plannedUnion(plan, SERVICE_SPAN_TABLES, (s) => ({
      select: `${stepBucket(s, SERVICE_SPAN_TABLES)} AS bucket, ${serviceAndClass(s, SERVICE_SPAN_TABLES)}, ${spanCounts(s)}, ${durationSketch(s)}`,
      where: 'ServiceName IN {services:Array(String)}',
      groupBy: 'bucket, service, class',
    }));
    const rows = await this.ch.select<{
      service: string;
      bucket: string;
      requests: string;
      failed: string;
      quantiles: number[];
    }>(
      `SELECT service, bucket, ${ENTRY_RED} FROM (${entrySpans(union)}) GROUP BY service, bucket ORDER BY service, bucket`,
      { ...params, tenant, services, stepMs },
    );
    return rows.map((r) => ({
      service: r.service,
      bucket: toNumber(r.bucket),
      count: toNumber(r.requests),
      errorCount: toNumber(r.failed),
      q: r.quantiles,
    }));
  }

  /** Per operation (span name and kind) of one service: count, errors, duration quantiles; busiest first. */
  async operations(tenant: string, service: string, plan: QueryPlan, limit: number): Promise<OperationRow[]> {
    const { union, params } = plannedUnion(plan, OPERATION_SPAN_TABLES, (s) => ({
      select: `${operationKeys(s)}, ${spanCounts(s)}, ${durationSketch(s)}`,
      where: 'ServiceName = {service:String}',
      groupBy: 'operation, kind',
    }));
    const rows = await this.ch.select<{ operation: string; kind: string; n: string; errors: string; q: number[] }>(
      `SELECT operation, kind, sum(n) AS n, sum(errors) AS errors, ${MERGED_QUANTILES} FROM (${union})
       GROUP BY operation, kind ORDER BY n DESC, operation, kind LIMIT {limit:UInt32}`,
      { ...params, tenant, service, limit },
    );
    return rows.map((r) => ({
      operation: r.operation,
      kind: r.kind,
      count: toNumber(r.n),
      errorCount: toNumber(r.errors),
      q: r.q,
    }));
  }
}
