import type { ChannelInput } from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import type { AlertHistory } from '../history/alert-history.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import { NotificationChannelEntity, type AlertNotificationEntity } from '../store/entities.js';
import { deliverToChannel } from './channel-delivery.js';
import { isGroupPayload } from './group-messages.js';
import type { DeliveryResult, HttpDelivery } from './http-delivery.js';
import type { SmtpDelivery } from './smtp-delivery.js';
import type { AlertingMetrics } from '../alerting-metrics.js';
import { startTickLoop, type TickLoop } from '../scheduler/tick-loop.js';

export interface DispatcherConfig {
  dataSource: DataSource;
  delivery: HttpDelivery;
  /** The operator's SMTP relay for e-mail channels; without it they fail, saying so. */
  smtp?: SmtpDelivery | undefined;
  /** The console, for links in e-mails of rules' own notifications. */
  consoleUrl?: string | undefined;
  history: AlertHistory;
  /** How long a claimed notification belongs to this replica before another may take it (default 5 min). */
  claimMs?: number;
  /** Delivery rounds (each with its own retries) before a notification is given up (default 3). */
  maxRounds?: number;
  /** Wait before another round when the target gave no Retry-After (default 60 s). */
  roundDelayMs?: number;
  batchSize?: number;
  now?: () => number;
  log?: (msg: string) => void;
  metrics?: AlertingMetrics;
}

type ClaimedRow = Pick<
  AlertNotificationEntity,
  'id' | 'tenantId' | 'channelId' | 'ruleId' | 'groupKey' | 'kind' | 'payload' | 'attempts'
>;

/** The channel as the sender needs it: the stored config, typed by channel type. */
export function channelTarget(c: NotificationChannelEntity): ChannelInput {
  return { type: c.type, name: c.name, ...c.config } as ChannelInput;
}

/**
 * Sends the notification outbox. Each row is claimed by one replica (FOR UPDATE SKIP
 * LOCKED) before it is sent, so two dispatchers never send the same notification; a
 * replica that dies mid-send leaves its claim to expire and another sends it again (the
 * PagerDuty dedup key and the webhook's fingerprint make that repeat harmless).
 */
export class NotificationDispatcher {
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(private readonly cfg: DispatcherConfig) {
    this.now = cfg.now ?? Date.now;
    this.log = cfg.log ?? (() => {});
  }

  /** Claims and sends what is due; returns how many notifications it handled. */
  async tick(): Promise<number> {
    const [rows]: [Record<string, unknown>[], number] = await this.cfg.dataSource.query(
      `UPDATE alert_notifications SET status = 'sending', claim_until = now() + make_interval(secs => $1::double precision / 1000), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM alert_notifications
         WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND claim_until < now())
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, tenant_id, channel_id, rule_id, group_key, kind, payload, attempts`,
      [this.cfg.claimMs ?? 300_000, this.cfg.batchSize ?? 50],
    );
    const claimed: ClaimedRow[] = rows.map((r) => ({
      id: String(r.id),
      tenantId: r.tenant_id as string,
      channelId: r.channel_id as string,
      ruleId: r.rule_id as string | null,
      groupKey: r.group_key as string,
      kind: r.kind as ClaimedRow['kind'],
      payload: r.payload as Record<string, unknown>,
      attempts: r.attempts as number,
    }));
    await Promise.all(
      claimed.map((row) =>
        this.send(row).catch((err: unknown) =>
          this.log(`notification ${row.id}: ${err instanceof Error ? err.message : String(err)}`),
        ),
      ),
    );
    return claimed.length;
  }

  /** Ticks every `periodMs` until the returned loop is stopped. */
  start(periodMs = 1000): TickLoop {
    return startTickLoop('notification dispatcher', () => this.tick(), periodMs, this.log);
  }

  private async send(row: ClaimedRow): Promise<void> {
    const ds = this.cfg.dataSource;
    const channel = await ds
      .getRepository(NotificationChannelEntity)
      .findOneBy({ id: row.channelId, tenantId: row.tenantId });
    if (!channel) {
      await ds.query(
        `UPDATE alert_notifications SET status = 'failed', claim_until = NULL, last_error = 'channel deleted' WHERE ${CLAIMED}`,
        [row.id, row.attempts],
      );
      return;
    }
    const result = await deliverToChannel(
      { http: this.cfg.delivery, smtp: this.cfg.smtp, consoleUrl: this.cfg.consoleUrl },
      channelTarget(channel),
      row.payload,
      this.now(),
    );
    const outcome = await this.settle(row, channel, result);
    if (outcome === null) {
      this.log(
        `notification ${row.id}: its claim ran out during delivery and another replica took it over; this result is dropped`,
      );
      return;
    }
    this.cfg.metrics?.notifications.inc({ channel: channel.type, outcome });
    const message = roundMessage(outcome, result, row.attempts, this.maxRounds, channel.type === 'email');
    if (isGroupPayload(row.payload)) {
      const entries = row.payload.notification.alerts.flatMap((a) =>
        a.source
          ? [
              {
                tenantId: row.tenantId,
                timeMs: this.now(),
                ruleId: a.source.ruleId,
                ruleName: a.labels.alertname ?? '',
                groupKey: a.source.groupKey,
                labels: a.labels,
                event: 'notification' as const,
                toState: a.status,
                value: a.value ?? null,
                channelId: row.channelId,
                outcome,
                message,
              },
            ]
          : [],
      );
      await this.cfg.history
        .record(entries)
        .catch((err: unknown) => this.log(`alert history: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    const n = row.payload as unknown as AlertNotification;
    if (n.kind === 'test' || row.ruleId === null) return;
    await this.cfg.history
      .record([
        {
          tenantId: row.tenantId,
          timeMs: this.now(),
          ruleId: row.ruleId,
          ruleName: n.ruleName,
          groupKey: row.groupKey,
          labels: n.labels,
          event: 'notification',
          toState: n.kind,
          value: n.value,
          channelId: row.channelId,
          outcome,
          message,
        },
      ])
      .catch((err: unknown) => this.log(`alert history: ${err instanceof Error ? err.message : String(err)}`));
  }

  /**
   * Marks the row sent, failed or pending again — only while this replica's claim holds (the
   * row is still `sending` with the attempt count it claimed): a replica whose claim ran out
   * must not undo what the replica that took over decided. Null when the claim was lost.
   */
  private async settle(
    row: ClaimedRow,
    channel: NotificationChannelEntity,
    result: DeliveryResult,
  ): Promise<RoundOutcome | null> {
    const ds = this.cfg.dataSource;
    const update = async (set: string, extra: unknown[] = []): Promise<boolean> => {
      const [, affected]: [unknown, number] = await ds.query(`UPDATE alert_notifications SET ${set} WHERE ${CLAIMED}`, [
        row.id,
        row.attempts,
        ...extra,
      ]);
      return affected > 0;
    };
    if (result.delivered) {
      if (!(await update(`status = 'sent', sent_at = now(), claim_until = NULL, last_error = NULL`))) return null;
      if (channel.failingSince !== null)
        await ds.query('UPDATE notification_channels SET failing_since = NULL, last_error = NULL WHERE id = $1', [
          channel.id,
        ]);
      return 'sent';
    }
    if (result.permanent || row.attempts >= this.maxRounds) {
      if (!(await update(`status = 'failed', claim_until = NULL, last_error = $3`, [result.error]))) return null;
      // A notification that will never arrive marks its channel failing, whatever the reason.
      await ds.query(
        'UPDATE notification_channels SET failing_since = coalesce(failing_since, now()), last_error = $2 WHERE id = $1',
        [channel.id, result.error],
      );
      return 'failed';
    }
    const waitMs = result.retryAfterMs ?? this.cfg.roundDelayMs ?? 60_000;
    const pending = `status = 'pending', claim_until = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)`;
    return (await update(pending, [result.error, waitMs])) ? 'retrying' : null;
  }

  private get maxRounds(): number {
    return this.cfg.maxRounds ?? 3;
  }
}

type RoundOutcome = 'sent' | 'retrying' | 'failed';

/** The row as this replica claimed it: still sending, with the attempt count of its claim. */
const CLAIMED = `id = $1 AND status = 'sending' AND attempts = $2`;

/** What the alert history says about one delivery round (no address or socket error: those are in the log). */
function roundMessage(
  outcome: RoundOutcome,
  result: DeliveryResult,
  round: number,
  maxRounds: number,
  email: boolean,
): string {
  if (result.delivered)
    return `delivered: ${email ? 'accepted by the SMTP server' : `HTTP ${result.status}`} in round ${round} of ${maxRounds} (${result.attempts} attempt(s))`;
  if (outcome === 'retrying')
    return `${result.error}; round ${round} of ${maxRounds} (${result.attempts} attempt(s)), trying again later`;
  return result.permanent ? `${result.error}; not retried` : `${result.error}; given up after ${round} round(s)`;
}
