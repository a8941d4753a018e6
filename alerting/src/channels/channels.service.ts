import { randomUUID } from 'node:crypto';
import { ApiError, notFound, auditBefore } from '@telemetryflow/http-kit';
import type { ChannelDto, ChannelInput, ChannelTestDto } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { deliverToChannel } from '../delivery/channel-delivery.js';
import type { HttpDelivery } from '../delivery/http-delivery.js';
import type { SmtpDelivery } from '../delivery/smtp-delivery.js';
import { channelTarget } from '../delivery/notification-dispatcher.js';
import { alertFingerprint, type AlertNotification } from '../notify/alert-notification.js';
import { walkRouteConfigs, type RouteConfig } from '../routing/route-tree.js';
import { NotificationChannelEntity, NotificationPolicyEntity } from '../store/entities.js';

function toChannelDto(c: NotificationChannelEntity): ChannelDto {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    target:
      c.type === 'email'
        ? `mailto:${(c.config.to as unknown as string[]).join(',')}`
        : new URL(c.type === 'opsgenie' ? c.config.apiUrl! : c.config.url!).origin,
    failing: c.failingSince !== null,
    failingSince: c.failingSince?.toISOString() ?? null,
    lastError: c.lastError,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

function configOf(input: ChannelInput): Record<string, string> {
  const { type: _t, name: _n, ...config } = input;
  // E-mail recipients are a list and sendResolved a boolean; the column is JSON.
  return config as unknown as Record<string, string>;
}

function inUse(path: string, what: 'delete' | 'rename'): ApiError {
  return new ApiError(
    409,
    'conflict',
    `the notification policy routes to this channel (${path}); change the policy before you ${what} it`,
  );
}

/** Notification channels of a tenant; their secrets go in and never come out. */
export class ChannelsService {
  constructor(
    private readonly ds: DataSource,
    private readonly delivery: HttpDelivery,
    private readonly smtp?: SmtpDelivery,
  ) {}

  async list(tenant: string): Promise<ChannelDto[]> {
    return (
      await this.ds
        .getRepository(NotificationChannelEntity)
        .find({ where: { tenantId: tenant }, order: { name: 'ASC' } })
    ).map(toChannelDto);
  }

  async get(tenant: string, id: string): Promise<ChannelDto> {
    return toChannelDto(await this.find(tenant, id));
  }

  async create(tenant: string, input: ChannelInput): Promise<ChannelDto> {
    const now = new Date();
    const row = this.ds.getRepository(NotificationChannelEntity).create({
      id: randomUUID(),
      tenantId: tenant,
      name: input.name,
      type: input.type,
      config: configOf(input),
      failingSince: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.ds.getRepository(NotificationChannelEntity).insert(row);
    return toChannelDto(row);
  }

  /**
   * Replaces the channel (secrets included) and clears its failing mark: the target may be
   * fixed. A channel the notification policy names cannot be renamed from under it (409).
   */
  async update(tenant: string, id: string, input: ChannelInput): Promise<ChannelDto> {
    const row = await this.find(tenant, id);
    auditBefore(toChannelDto(row));
    if (input.name !== row.name) {
      const using = await this.policyRouteTo(this.ds.manager, tenant, row.name);
      if (using) throw inUse(using, 'rename');
    }
    Object.assign(row, {
      name: input.name,
      type: input.type,
      config: configOf(input),
      failingSince: null,
      lastError: null,
      updatedAt: new Date(),
    });
    await this.ds.getRepository(NotificationChannelEntity).save(row);
    return toChannelDto(row);
  }

  /**
   * Deletes the channel and takes it out of every rule that notified it; a channel the
   * notification policy routes to stays until the policy no longer names it (409).
   */
  async remove(tenant: string, id: string): Promise<void> {
    await this.ds.transaction(async (em) => {
      const channel = await em.getRepository(NotificationChannelEntity).findOneBy({ tenantId: tenant, id });
      if (!channel) throw notFound(`no notification channel ${id}`);
      const using =
        (await this.policyRouteTo(em, tenant, id, true)) ?? (await this.policyRouteTo(em, tenant, channel.name, true));
      if (using) throw inUse(using, 'delete');
      await em.getRepository(NotificationChannelEntity).delete({ tenantId: tenant, id });
      await em.query(
        `UPDATE alert_rules SET spec = jsonb_set(spec, '{channels}', (spec->'channels') - $2::text), updated_at = now()
         WHERE tenant_id = $1 AND spec->'channels' ? $2::text`,
        [tenant, id],
      );
    });
  }

  /** Sends a test message now, through the same guard, retries and failing mark as alerts. */
  async test(tenant: string, id: string): Promise<ChannelTestDto> {
    const row = await this.find(tenant, id);
    const now = Date.now();
    const n: AlertNotification = {
      kind: 'test',
      ruleId: '',
      ruleName: 'Test notification',
      severity: 'info',
      groupKey: '',
      labels: {},
      annotations: { summary: `A test message for the "${row.name}" channel from TelemetryFlow.` },
      value: null,
      startsAt: new Date(now).toISOString(),
      endsAt: null,
      fingerprint: alertFingerprint(tenant, 'test', row.id),
      url: null,
    };
    const result = await deliverToChannel({ http: this.delivery, smtp: this.smtp }, channelTarget(row), n, now);
    if (result.delivered)
      await this.ds.query('UPDATE notification_channels SET failing_since = NULL, last_error = NULL WHERE id = $1', [
        row.id,
      ]);
    else if (result.permanent)
      await this.ds.query(
        'UPDATE notification_channels SET failing_since = coalesce(failing_since, now()), last_error = $2 WHERE id = $1',
        [row.id, result.error],
      );
    return {
      delivered: result.delivered,
      status: result.status,
      attempts: result.attempts,
      error: result.delivered ? null : result.error,
    };
  }

  /** The path of the first policy route whose receiver is `receiver` (a channel's name or id). */
  private async policyRouteTo(
    em: EntityManager,
    tenant: string,
    receiver: string,
    lock = false,
  ): Promise<string | null> {
    const policy = await em
      .getRepository(NotificationPolicyEntity)
      .findOne({ where: { tenantId: tenant }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!policy) return null;
    const route = walkRouteConfigs((policy.policy as { route: RouteConfig }).route, ['route']).find(
      (r) => r.route.receiver === receiver,
    );
    return route ? route.path.join('.') : null;
  }

  private async find(tenant: string, id: string): Promise<NotificationChannelEntity> {
    const row = await this.ds.getRepository(NotificationChannelEntity).findOneBy({ tenantId: tenant, id });
    if (!row) throw notFound(`no notification channel ${id}`);
    return row;
  }
}
