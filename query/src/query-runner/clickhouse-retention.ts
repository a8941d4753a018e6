import { readRetentionPolicies, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { RetentionSignalName } from '@telemetryflow/contract';
import type { RetentionDays } from '../planner/query-plan.js';
import type { RetentionLookup } from '../planner/query-planner.js';
import { DEFAULT_RETENTION_DAYS } from '@telemetryflow/identity';

const CACHE_MS = 10_000;

/**
 * Retention from ClickHouse's copy of the policies (what TTL applies), for a QueryRunner
 * outside the API (the alerting role has no Postgres at hand). Defaults where a tenant
 * has no row yet; re-read at most every 10 s.
 */
export function clickHouseRetention(client: ClickHouseClient): RetentionLookup {
  let cached: { at: number; byKey: Map<string, RetentionDays> } | undefined;
  return {
    async daysFor(tenant: string, signal: RetentionSignalName): Promise<RetentionDays> {
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const rows = await readRetentionPolicies(client);
        cached = {
          at: Date.now(),
          byKey: new Map(
            rows.map((r) => [
              `${r.tenantId}\0${r.signal}`,
              { rawDays: r.rawDays, hourlyDays: r.hourlyDays, dailyDays: r.dailyDays },
            ]),
          ),
        };
      }
      return cached.byKey.get(`${tenant}\0${signal}`) ?? { ...DEFAULT_RETENTION_DAYS };
    },
  };
}
