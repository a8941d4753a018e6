import { Inject, Injectable } from '@nestjs/common';
import type { RetentionSignalName } from '@telemetryflow/contract';
import { parseEnum, type RawParams, type TimeRange } from '../request-params.js';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { CLICKHOUSE } from '../http/tokens.js';
import { RetentionService } from '../retention/retention.service.js';
import { clickHouseRollupWatermarks, type RollupWatermarkLookup } from './rollup-watermarks.js';
import { planQuery, rawPlan, type QueryPlan, type RetentionDays } from './query-plan.js';

/** Where a tenant's retention per signal comes from (RetentionService in the API). */
export interface RetentionLookup {
  daysFor(tenant: string, signal: RetentionSignalName): Promise<RetentionDays>;
}

/**
 * Plans aggregate queries with the tenant's retention and the hours and days the rollup job
 * has rolled. `resolution=raw` in a request forces raw data (to compare with, or when rollups
 * are being rebuilt).
 */
@Injectable()
export class QueryPlanner {
  private readonly watermarks: RollupWatermarkLookup;

  constructor(
    @Inject(RetentionService) private readonly retention: RetentionLookup,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
  ) {
    this.watermarks = clickHouseRollupWatermarks(clickhouse);
  }

  async plan(
    tenant: string,
    signal: RetentionSignalName,
    range: TimeRange,
    params: RawParams,
    stepMs?: number,
  ): Promise<QueryPlan> {
    if (parseEnum(params, 'resolution', ['auto', 'raw'] as const) === 'raw') {
      return rawPlan(range.fromNs, range.toNs);
    }
    const [retention, limits] = await Promise.all([
      this.retention.daysFor(tenant, signal),
      this.watermarks.limits(signal),
    ]);
    return planQuery({
      fromNs: range.fromNs,
      toNs: range.toNs,
      nowMs: Date.now(),
      retention,
      ...(stepMs !== undefined ? { stepMs } : {}),
      ...limits,
    });
  }
}
