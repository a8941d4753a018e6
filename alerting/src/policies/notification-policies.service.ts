import { ApiError } from '@telemetryflow/http-kit';
import type { NotificationPolicyDto } from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import { walkRouteConfigs, type NotificationPolicyConfig } from '../routing/route-tree.js';
import { NotificationChannelEntity, NotificationPolicyEntity } from '../store/entities.js';

function toDto(row: NotificationPolicyEntity | null): NotificationPolicyDto {
  return {
    policy: row?.policy ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

/**
 * A tenant's notification policy. Receivers name the tenant's notification channels (by
 * name or id). Without a policy every rule notifies its own channels, as before policies.
 */
export class NotificationPoliciesService {
  constructor(private readonly ds: DataSource) {}

  async get(tenant: string): Promise<NotificationPolicyDto> {
    return toDto(await this.ds.getRepository(NotificationPolicyEntity).findOneBy({ tenantId: tenant }));
  }

  /** Replaces the policy (validated by NotificationPolicySchema before); its alert groups start afresh where routes changed. */
  async put(tenant: string, author: string, input: NotificationPolicyConfig): Promise<NotificationPolicyDto> {
    await this.assertReceiversExist(tenant, input);
    const now = new Date();
    await this.ds.query(
      `INSERT INTO notification_policies (tenant_id, policy, updated_by, updated_at, due_at)
       VALUES ($1, $2::jsonb, $3, $4, now())
       ON CONFLICT (tenant_id) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by,
         updated_at = EXCLUDED.updated_at, due_at = now()`,
      [tenant, JSON.stringify(input), author, now],
    );
    return this.get(tenant);
  }

  /** Back to the default: each rule notifies its own channels. */
  async remove(tenant: string): Promise<void> {
    await this.ds.getRepository(NotificationPolicyEntity).delete({ tenantId: tenant });
  }

  private async assertReceiversExist(tenant: string, input: NotificationPolicyConfig): Promise<void> {
    const channels = await this.ds
      .getRepository(NotificationChannelEntity)
      .find({ where: { tenantId: tenant }, select: { id: true, name: true } });
    const known = new Set(channels.flatMap((c) => [c.id, c.name]));
    for (const { route, path } of walkRouteConfigs(input.route, ['route'])) {
      if (route.receiver !== undefined && !known.has(route.receiver)) {
        const parameter = [...path, 'receiver'].join('.');
        throw new ApiError(
          400,
          'invalid_parameter',
          `${parameter}: "${route.receiver}" is not a notification channel of this tenant (name or id)`,
          { parameter },
        );
      }
    }
  }
}
