import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { queryLimits, type QueryLimits } from '../query-limits.js';
import { QueryRunner } from './query-runner.js';

/** The read model's reads for code outside the API (alerting): one set of limits for all of them. */
export interface QueryReads {
  readonly limits: QueryLimits;
  /** Query DTOs through the planner (rollups for whole hours). */
  readonly executor: QueryRunner;
  /** Raw SELECTs with bound parameters under the limits. */
  readonly reader: ClickHouseReader;
}

/** The query API's reads over `clickhouse`, under the default limits with `overrides` applied. */
export function createQueryReads(clickhouse: ClickHouseClient, overrides: Partial<QueryLimits> = {}): QueryReads {
  const limits = queryLimits(overrides);
  return {
    limits,
    executor: new QueryRunner({ clickhouse, limits }),
    reader: new ClickHouseReader(clickhouse, limits),
  };
}
