import { Inject, Injectable } from '@nestjs/common';
import type { RetentionSignalName } from '@telemetryflow/contract';
import { parseEnum, type RawParams, type TimeRange } from '../request-params.js';
import { RetentionService } from '../retention/retention.service.js';
import { planQuery, rawPlan, type QueryPlan, type RetentionDays } from './query-plan.js';

/** Where a tenant's retention per signal comes from (RetentionService in the API). */
export interface RetentionLookup {
  daysFor(tenant: string, signal: RetentionSignalName): Promise<RetentionDays>;
}

/**
 * Plans aggregate queries with the tenant's retention. `resolution=raw` in a request
 * forces raw data (to compare with, or when rollups are being rebuilt).
 */
@Injectable()
export class QueryPlanner {
  constructor(@Inject(RetentionService) private readonly retention: RetentionLookup) {}

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
    return planQuery({
      fromNs: range.fromNs,
      toNs: range.toNs,
      nowMs: Date.now(),
      retention: await this.retention.daysFor(tenant, signal),
      ...(stepMs !== undefined ? { stepMs } : {}),
    });
  }
}
