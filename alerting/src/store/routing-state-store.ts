import type { AlertRuleInput, AlertState } from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import type { AggregatorSnapshot } from '../routing/alert-aggregator.js';
import type { Silence } from '../routing/silence-matching.js';
import { NotificationChannelEntity, NotificationPolicyEntity } from './entities.js';

/** One firing or resolved alert instance with its rule. */
export interface RoutableInstance {
  ruleId: string;
  ruleName: string;
  spec: AlertRuleInput;
  groupKey: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: Extract<AlertState, 'firing' | 'resolved'>;
  value: number | null;
  firedAtMs: number;
  resolvedAtMs: number | null;
}

/** A row of the notification outbox made by the router. */
export interface QueuedGroupNotification {
  channelId: string;
  groupKey: string;
  kind: 'firing' | 'resolved';
  payload: unknown;
}

const EMPTY: AggregatorSnapshot = { groups: [], notified: [] };

/**
 * The router's Postgres side: a lease per tenant policy (as rules have theirs, ADR 0010),
 * the aggregator state it guards, and the alerts it routes. Lease times are the database's.
 */
export class RoutingStateStore {
  constructor(private readonly ds: DataSource) {}

  /** Leases up to `limit` due tenant policies for `holder`; their tenant ids. */
  async claimDue(holder: string, leaseMs: number, limit: number): Promise<string[]> {
    const [rows]: [{ tenant_id: string }[], number] = await this.ds.query(
      `UPDATE notification_policies SET holder = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE tenant_id IN (
         SELECT tenant_id FROM notification_policies
         WHERE due_at <= now() AND (lease_until IS NULL OR lease_until < now())
         ORDER BY due_at LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING tenant_id`,
      [holder, leaseMs, limit],
    );
    return rows.map((r) => r.tenant_id);
  }

  async hasPolicy(tenant: string): Promise<boolean> {
    return (await this.ds.getRepository(NotificationPolicyEntity).countBy({ tenantId: tenant })) > 0;
  }

  async load(tenant: string): Promise<{ policy: unknown; state: AggregatorSnapshot } | null> {
    const row = await this.ds.getRepository(NotificationPolicyEntity).findOneBy({ tenantId: tenant });
    if (!row) return null;
    const state = row.state as Partial<AggregatorSnapshot>;
    return { policy: row.policy, state: { groups: state.groups ?? EMPTY.groups, notified: state.notified ?? [] } };
  }

  /** The tenant's firing and resolved alerts of enabled rules, at most `limit`. */
  async instances(tenant: string, limit: number): Promise<RoutableInstance[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT i.rule_id, r.name, r.spec, i.group_key, i.labels, i.annotations, i.state, i.value, i.fired_at, i.resolved_at
       FROM alert_instances i JOIN alert_rules r ON r.id = i.rule_id
       WHERE i.tenant_id = $1 AND r.enabled AND i.state IN ('firing', 'resolved') AND i.fired_at IS NOT NULL
       ORDER BY i.state, i.fired_at LIMIT $2`,
      [tenant, limit],
    );
    return rows.map((r) => ({
      ruleId: r.rule_id as string,
      ruleName: r.name as string,
      spec: r.spec as AlertRuleInput,
      groupKey: r.group_key as string,
      labels: r.labels as Record<string, string>,
      annotations: r.annotations as Record<string, string>,
      state: r.state as RoutableInstance['state'],
      value: r.value === null ? null : Number(r.value),
      firedAtMs: (r.fired_at as Date).getTime(),
      resolvedAtMs: r.resolved_at === null ? null : (r.resolved_at as Date).getTime(),
    }));
  }

  /** Silences in force now or later (the aggregator checks their windows at each flush). */
  async silences(tenant: string, nowMs: number): Promise<Silence[]> {
    const rows: { id: string; matchers: Silence['matchers']; starts_at: Date; ends_at: Date }[] = await this.ds.query(
      'SELECT id, matchers, starts_at, ends_at FROM alert_silences WHERE tenant_id = $1 AND ends_at >= $2 LIMIT 10000',
      [tenant, new Date(nowMs)],
    );
    return rows.map((s) => ({
      id: s.id,
      matchers: s.matchers,
      startsAtMs: s.starts_at.getTime(),
      endsAtMs: s.ends_at.getTime(),
    }));
  }

  channels(tenant: string): Promise<Pick<NotificationChannelEntity, 'id' | 'name' | 'type' | 'config'>[]> {
    return this.ds
      .getRepository(NotificationChannelEntity)
      .find({ where: { tenantId: tenant }, select: { id: true, name: true, type: true, config: true } });
  }

  /**
   * Stores the aggregator state and queues its notifications in one transaction, only while
   * `holder` still holds the tenant's lease (fencing); then the policy is due after `dueInMs`.
   */
  async commit(
    tenant: string,
    holder: string,
    state: AggregatorSnapshot,
    queued: readonly QueuedGroupNotification[],
    dueInMs: number,
  ): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const held: unknown[] = await em.query(
        'SELECT 1 FROM notification_policies WHERE tenant_id = $1 AND holder = $2 AND lease_until > now() FOR UPDATE',
        [tenant, holder],
      );
      if (held.length === 0) return false;
      for (const q of queued) {
        await em.query(
          `INSERT INTO alert_notifications (tenant_id, channel_id, rule_id, group_key, kind, payload)
           SELECT $1, c.id, NULL, $3, $4, $5::jsonb FROM notification_channels c WHERE c.tenant_id = $1 AND c.id = $2`,
          [tenant, q.channelId, q.groupKey, q.kind, JSON.stringify(q.payload)],
        );
      }
      await em.query(
        `UPDATE notification_policies SET state = $2::jsonb, holder = NULL, lease_until = NULL,
           due_at = now() + make_interval(secs => $3::double precision / 1000) WHERE tenant_id = $1`,
        [tenant, JSON.stringify(state), dueInMs],
      );
      return true;
    });
  }

  async release(tenant: string, holder: string, dueInMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE notification_policies SET holder = NULL, lease_until = NULL, due_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE tenant_id = $1 AND holder = $2`,
      [tenant, holder, dueInMs],
    );
  }

  /** Makes the tenant's policy due now: its alerts changed. */
  async markDue(tenant: string): Promise<void> {
    await this.ds.query('UPDATE notification_policies SET due_at = now() WHERE tenant_id = $1', [tenant]);
  }
}
