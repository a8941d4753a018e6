import { Inject, Injectable } from '@nestjs/common';
import {
  applyRetentionPolicies,
  readRetentionPolicies,
  type ClickHouseClient,
  type RetentionPolicy,
} from '@telemetryflow/clickhouse';
import type { RetentionDto, RetentionSignalName } from '@telemetryflow/contract';
import {
  CONTROL_PLANE,
  defaultRetention,
  RETENTION_SIGNALS,
  RetentionPolicyEntity,
  TenantEntity,
  type ControlPlane,
} from '@telemetryflow/identity';
import { CLICKHOUSE } from '../http/tokens.js';

/** Retention policies: the truth in Postgres, the copy writers and TTL use in ClickHouse. */
@Injectable()
export class RetentionRepository {
  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(CLICKHOUSE) private readonly ch: ClickHouseClient,
  ) {}

  /** Every tenant's policy, defaults where a tenant has set none. */
  async all(): Promise<Map<string, RetentionDto>> {
    const ds = this.controlPlane.dataSource;
    const tenants = await ds.getRepository(TenantEntity).find({ select: { id: true } });
    const out = new Map(tenants.map((t) => [t.id, defaultRetention()]));
    for (const row of await ds.getRepository(RetentionPolicyEntity).find()) {
      const policy = out.get(row.tenantId);
      if (policy)
        policy[row.signal as RetentionSignalName] = {
          rawDays: row.rawDays,
          hourlyDays: row.hourlyDays,
          dailyDays: row.dailyDays,
        };
    }
    return out;
  }

  async load(tenant: string): Promise<RetentionDto> {
    const policy = defaultRetention();
    for (const row of await this.controlPlane.dataSource
      .getRepository(RetentionPolicyEntity)
      .findBy({ tenantId: tenant })) {
      policy[row.signal as RetentionSignalName] = {
        rawDays: row.rawDays,
        hourlyDays: row.hourlyDays,
        dailyDays: row.dailyDays,
      };
    }
    return policy;
  }

  async save(tenant: string, policy: RetentionDto): Promise<void> {
    const now = new Date();
    await this.controlPlane.dataSource.getRepository(RetentionPolicyEntity).upsert(
      RETENTION_SIGNALS.map((signal) => ({ tenantId: tenant, signal, ...policy[signal], updatedAt: now })),
      ['tenantId', 'signal'],
    );
  }

  /** The policies ClickHouse applies now. */
  clickHousePolicies(): Promise<RetentionPolicy[]> {
    return readRetentionPolicies(this.ch);
  }

  /** Makes ClickHouse apply `policies` to new rows at once and to stored rows by mutation. */
  applyInClickHouse(policies: RetentionPolicy[]): Promise<void> {
    return applyRetentionPolicies(this.ch, policies);
  }
}

/** A tenant's policy as ClickHouse rows, one per signal. */
export function toClickHousePolicies(tenant: string, policy: RetentionDto): RetentionPolicy[] {
  return RETENTION_SIGNALS.map((signal) => ({ tenantId: tenant, signal, ...policy[signal] }));
}
