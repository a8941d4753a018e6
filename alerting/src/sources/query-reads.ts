import type { QueryDto, QueryResult } from '@telemetryflow/contract';

/**
 * The caps alerting's reads run under (the query API's limits): rules and previews are
 * checked against them, and every read is bounded by them.
 */
export interface ReadLimits {
  /** ClickHouse `max_execution_time` of every read, in seconds. */
  maxExecutionSeconds: number;
  /** Longest range of searches that read raw rows, in days: an alert window or history listing. */
  maxSearchRangeDays: number;
}

/** Runs one query DTO for a tenant over a window (the query API's QueryRunner: planner, rollups). */
export interface QueryExecutor {
  run(
    tenant: string,
    query: QueryDto,
    window: { fromNs: bigint; toNs: bigint; stepSeconds?: number },
  ): Promise<{ data: QueryResult }>;
}

/** A ClickHouse SELECT with bound parameters, under the read limits (past one: 422 naming it). */
export interface LimitedReader {
  select<T>(query: string, params: Record<string, unknown>): Promise<T[]>;
}

/**
 * What alerting reads through: declared here, implemented by the query package and wired by
 * the server's composition root (`server/src/node.ts`), so alerting does not depend on query.
 */
export interface QueryReads {
  readonly limits: ReadLimits;
  readonly executor: QueryExecutor;
  readonly reader: LimitedReader;
}
