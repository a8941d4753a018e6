import type { DataSource, EntityManager } from 'typeorm';
import type { InstanceState } from '../evaluation/state-machine.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import type { ActiveSilence } from '../notify/silences.js';
import { AlertInstanceEntity, AlertRuleEntity, AlertSilenceEntity } from './entities.js';

export interface StoredInstance {
  state: InstanceState;
  lastNotifiedMs: number | null;
}

export interface EvaluationOutcome {
  instances: { state: InstanceState; annotations: Record<string, string>; lastNotifiedMs: number | null }[];
  notifications: AlertNotification[];
  channelIds: string[];
  intervalMs: number;
  /** More writes that belong to the same fenced transaction (status-page incidents). */
  alsoWrite?: (em: EntityManager) => Promise<void>;
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (n: number | null): Date | null => (n === null ? null : new Date(n));

/**
 * The scheduler's Postgres side: leases on due rules, instance state and the notification
 * outbox. Times of leases and due dates are the database's (`now()`), so replicas with
 * skewed clocks still agree on who holds a rule.
 */
export class AlertStateStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Leases up to `limit` due rules for `holder`: rules nobody holds, or whose lease ran out.
   * `lateSeconds`: how long after its due time each rule was claimed (the database's clock).
   */
  async claimDue(holder: string, leaseMs: number, limit: number): Promise<{ id: string; lateSeconds: number }[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows]: [{ rule_id: string; late_seconds: string | number }[], number] = await this.ds.query(
      `UPDATE alert_rule_leases SET holder = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE rule_id IN (
         SELECT l.rule_id FROM alert_rule_leases l JOIN alert_rules r ON r.id = l.rule_id
         WHERE r.enabled AND l.due_at <= now() AND (l.lease_until IS NULL OR l.lease_until < now())
         ORDER BY l.due_at LIMIT $3
         FOR UPDATE OF l SKIP LOCKED)
       RETURNING rule_id, extract(epoch FROM now() - due_at) AS late_seconds`,
      [holder, leaseMs, limit],
    );
    return rows.map((r) => ({ id: r.rule_id, lateSeconds: Math.max(0, Number(r.late_seconds)) }));
  }

  loadRule(id: string): Promise<AlertRuleEntity | null> {
    return this.ds.getRepository(AlertRuleEntity).findOneBy({ id });
  }

  async loadInstances(ruleId: string): Promise<Map<string, StoredInstance>> {
    const rows = await this.ds.getRepository(AlertInstanceEntity).findBy({ ruleId });
    return new Map(
      rows.map((r) => [
        r.groupKey,
        {
          state: {
            groupKey: r.groupKey,
            labels: r.labels,
            state: r.state,
            value: r.value,
            activeSinceMs: ms(r.activeSince),
            firedAtMs: ms(r.firedAt),
            resolvedAtMs: ms(r.resolvedAt),
            lastEvaluatedAtMs: r.lastEvaluatedAt.getTime(),
          },
          lastNotifiedMs: ms(r.lastNotifiedAt),
        },
      ]),
    );
  }

  async activeSilences(tenant: string, nowMs: number): Promise<ActiveSilence[]> {
    const rows = await this.ds
      .getRepository(AlertSilenceEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenant AND s.starts_at <= :now AND s.ends_at > :now', { tenant, now: new Date(nowMs) })
      .getMany();
    return rows.map((s) => ({ matchers: s.matchers, startsAtMs: s.startsAt.getTime(), endsAtMs: s.endsAt.getTime() }));
  }

  /**
   * Writes one evaluation's results and queues its notifications, in one transaction and
   * only while `holder` still holds the rule's lease (fencing): a replica that lost its
   * lease while evaluating writes nothing. Then the rule is due again after its interval.
   */
  async commit(ruleId: string, tenant: string, holder: string, out: EvaluationOutcome): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const held: unknown[] = await em.query(
        'SELECT 1 FROM alert_rule_leases WHERE rule_id = $1 AND holder = $2 AND lease_until > now() FOR UPDATE',
        [ruleId, holder],
      );
      if (held.length === 0) return false;
      const keys = out.instances.map((i) => i.state.groupKey);
      await em.query('DELETE FROM alert_instances WHERE rule_id = $1 AND NOT (group_key = ANY($2::text[]))', [
        ruleId,
        keys,
      ]);
      if (out.instances.length > 0) {
        await em.getRepository(AlertInstanceEntity).upsert(
          out.instances.map((i) => ({
            ruleId,
            tenantId: tenant,
            groupKey: i.state.groupKey,
            labels: i.state.labels,
            annotations: i.annotations,
            state: i.state.state,
            value: i.state.value,
            activeSince: date(i.state.activeSinceMs),
            firedAt: date(i.state.firedAtMs),
            resolvedAt: date(i.state.resolvedAtMs),
            lastEvaluatedAt: new Date(i.state.lastEvaluatedAtMs),
            lastNotifiedAt: date(i.lastNotifiedMs),
          })),
          ['ruleId', 'groupKey'],
        );
      }
      await queueNotifications(em, tenant, out.channelIds, out.notifications);
      await out.alsoWrite?.(em);
      await this.reschedule(em, ruleId, out.intervalMs);
      return true;
    });
  }

  /** Gives the lease back without results (the evaluation failed); due again after the interval. */
  async release(ruleId: string, holder: string, intervalMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE alert_rule_leases SET holder = NULL, lease_until = NULL, due_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE rule_id = $1 AND holder = $2`,
      [ruleId, holder, intervalMs],
    );
  }

  private async reschedule(em: EntityManager, ruleId: string, intervalMs: number): Promise<void> {
    await em.query(
      `UPDATE alert_rule_leases SET holder = NULL, lease_until = NULL, due_at = now() + make_interval(secs => $2::double precision / 1000) WHERE rule_id = $1`,
      [ruleId, intervalMs],
    );
  }
}

/** One outbox row per notification and channel; channels of another tenant or deleted ones are skipped. */
export async function queueNotifications(
  em: EntityManager | DataSource,
  tenant: string,
  channelIds: readonly string[],
  notifications: readonly AlertNotification[],
): Promise<void> {
  if (channelIds.length === 0) return;
  for (const n of notifications) {
    await em.query(
      `INSERT INTO alert_notifications (tenant_id, channel_id, rule_id, group_key, kind, payload)
       SELECT $1, c.id, $3, $4, $5, $6::jsonb FROM notification_channels c WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[])`,
      [tenant, channelIds, n.kind === 'test' ? null : n.ruleId, n.groupKey, n.kind, JSON.stringify(n)],
    );
  }
}
