import type { DataSource } from 'typeorm';
import type { AlertHistory, HistoryEntry } from '../history/alert-history.js';
import { alertLabels } from '../notify/alert-notification.js';
import { channelSendsResolved, type GroupPayload } from '../delivery/group-messages.js';
import { AlertAggregator, type GroupNotification, type IncomingAlert } from '../routing/alert-aggregator.js';
import { labelSetFingerprint } from '../routing/label-sets.js';
import { buildNotificationPolicy, type NotificationPolicyInput } from '../routing/route-tree.js';
import { compileSilence } from '../routing/silence-matching.js';
import {
  RoutingStateStore,
  type QueuedGroupNotification,
  type RoutableInstance,
} from '../store/routing-state-store.js';
import type { AlertExcerpts } from '../sources/alert-excerpts.js';
import type { AlertRuleInput } from '@telemetryflow/contract';
import { mapConcurrently } from './map-concurrently.js';
import { startTickLoop, type TickLoop } from './tick-loop.js';

export interface RouterConfig {
  dataSource: DataSource;
  history: AlertHistory;
  /** Unique per process: the lease holder name. */
  replicaId: string;
  /** How long a tenant's lease lasts (default 30 s). */
  leaseMs?: number;
  /**
   * Longest time between two routing rounds of a tenant (default 10 s). A round is due
   * earlier when a group is due to flush, and at once when a rule's alert fired or resolved
   * (the scheduler marks the tenant due); this bound catches what nobody announces
   * (a rule disabled or deleted, a value that changed).
   */
  resyncMs?: number;
  /** How often the loop looks for due tenants (default 1 s): the resolution of group_wait and group_interval. */
  pollMs?: number;
  /** Tenants claimed per tick (default 20). */
  batchSize?: number;
  /** Most alert groups per tenant; alerts that would open more are not notified (default 1,000). */
  maxGroupsPerTenant?: number;
  /** Most alerts read per tenant and tick (default 10,000). */
  maxAlertsPerTenant?: number;
  consoleUrl?: string;
  /** Log lines and top errors for notifications of log and span rules. */
  excerpts?: AlertExcerpts;
  /** Most excerpts read per tenant and tick (default 10); they are read under the tenant's lease. */
  maxExcerpts?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

/** Most alerts one message lists (the rest are counted as `truncatedAlerts`). */
export const MAX_ALERTS_PER_MESSAGE = 200;

/** The outbox rows of one flush, with what the alert history says about each alert. */
export function queueGroupNotifications(
  notifications: readonly GroupNotification[],
  channels: readonly { id: string; name: string }[],
  externalURL: string,
): { queued: QueuedGroupNotification[]; history: Omit<HistoryEntry, 'tenantId' | 'timeMs'>[] } {
  const byId = new Map(channels.map((c) => [c.id, c]));
  const byName = new Map(channels.map((c) => [c.name, c]));
  const queued: QueuedGroupNotification[] = [];
  const history: Omit<HistoryEntry, 'tenantId' | 'timeMs'>[] = [];
  for (const n of notifications) {
    const channel = byId.get(n.receiver) ?? byName.get(n.receiver);
    if (channel) {
      // Firing alerts first, so a truncated message still names what fires.
      const ordered = [
        ...n.alerts.filter((a) => a.status === 'firing'),
        ...n.alerts.filter((a) => a.status !== 'firing'),
      ];
      const kept =
        n.alerts.length > MAX_ALERTS_PER_MESSAGE
          ? {
              ...n,
              alerts: ordered.slice(0, MAX_ALERTS_PER_MESSAGE),
              truncatedAlerts: n.alerts.length - MAX_ALERTS_PER_MESSAGE,
            }
          : n;
      const payload: GroupPayload = { format: 'group', notification: kept, externalURL };
      queued.push({ channelId: channel.id, groupKey: n.groupKey, kind: n.status, payload });
    }
    for (const a of n.alerts) {
      if (!a.source) continue;
      history.push({
        ruleId: a.source.ruleId,
        ruleName: a.labels.alertname ?? '',
        groupKey: a.source.groupKey,
        labels: a.labels,
        event: 'notification',
        toState: a.status,
        value: a.value ?? null,
        ...(channel ? { channelId: channel.id } : {}),
        outcome: channel ? 'queued' : 'no channel',
        message: `${n.reason}: group ${n.groupKey} to ${n.receiver}${channel ? '' : ' (no such channel)'}`,
      });
    }
  }
  return { queued, history };
}

/**
 * Routes a tenant's alerts through its notification policy: each tick one replica holds
 * the tenant's lease, takes over the stored aggregator state, feeds it the alerts of the
 * rules (every firing alert, as Prometheus re-sends them; an alert that stopped firing as
 * resolved), flushes the groups that are due, and stores the new state with the queued
 * notifications in one fenced transaction. So a group is notified once however many
 * replicas run, and its timers survive restarts.
 */
export class NotificationRouter {
  private readonly store: RoutingStateStore;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(private readonly cfg: RouterConfig) {
    this.store = new RoutingStateStore(cfg.dataSource);
    this.now = cfg.now ?? Date.now;
    this.log = cfg.log ?? (() => {});
  }

  /** Routes the alerts of due tenants once; returns how many tenants it routed. */
  async tick(): Promise<number> {
    const tenants = await this.store.claimDue(this.cfg.replicaId, this.cfg.leaseMs ?? 30_000, this.cfg.batchSize ?? 20);
    await mapConcurrently(tenants, 4, async (tenant) => {
      try {
        await this.route(tenant);
      } catch (err) {
        this.log(`notification policy of ${tenant}: ${err instanceof Error ? err.message : String(err)}`);
        await this.store.release(tenant, this.cfg.replicaId, this.resyncMs).catch(() => undefined);
      }
    });
    return tenants.length;
  }

  start(): TickLoop {
    return startTickLoop('notification router', () => this.tick(), this.cfg.pollMs ?? 1000, this.log);
  }

  private get resyncMs(): number {
    return this.cfg.resyncMs ?? 10_000;
  }

  private async route(tenant: string): Promise<void> {
    const stored = await this.store.load(tenant);
    if (!stored) return;
    const nowMs = this.now();
    const policy = buildNotificationPolicy(stored.policy as NotificationPolicyInput);
    const [channels, silences, instances] = await Promise.all([
      this.store.channels(tenant),
      this.store.silences(tenant, nowMs),
      this.store.instances(tenant, this.cfg.maxAlertsPerTenant ?? 10_000),
    ]);
    const compiled = silences.map(compileSilence);
    const resolves = new Map(channels.flatMap((c) => [c.id, c.name].map((k) => [k, channelSendsResolved(c)] as const)));
    const agg = new AlertAggregator(policy, {
      silences: () => compiled,
      sendsResolved: (receiver) => resolves.get(receiver) ?? true,
      maxGroups: this.cfg.maxGroupsPerTenant ?? 1000,
    });
    agg.restore(stored.state);
    const firing = new Set<string>();
    const resolved = new Map<string, IncomingAlert>();
    for (const inst of instances) {
      const alert = this.incoming(inst);
      const fingerprint = labelSetFingerprint(alert.labels);
      if (inst.state === 'firing') {
        firing.add(fingerprint);
        agg.receive(alert, nowMs);
      } else resolved.set(fingerprint, alert);
    }
    // An alert held as firing that no rule reports firing any more resolved (or its rule went away).
    for (const [fingerprint, held] of agg.heldAlerts()) {
      if (held.endsAtMs !== null || firing.has(fingerprint)) continue;
      agg.receive(resolved.get(fingerprint) ?? { ...held, endsAtMs: nowMs }, nowMs);
    }
    const notifications = agg.flush(nowMs);
    await this.addExcerpts(tenant, notifications, new Map(instances.map((i) => [i.ruleId, i.spec])), nowMs);
    const { queued, history } = queueGroupNotifications(notifications, channels, this.cfg.consoleUrl ?? '');
    const nextFlush = agg.nextFlushMs();
    const dueInMs = nextFlush === null ? this.resyncMs : Math.min(this.resyncMs, Math.max(0, nextFlush - nowMs));
    const committed = await this.store.commit(tenant, this.cfg.replicaId, agg.snapshot(nowMs), queued, dueInMs);
    if (!committed) {
      this.log(`notification policy of ${tenant}: lease lost while routing; this round is dropped`);
      return;
    }
    if (history.length > 0)
      await this.cfg.history
        .record(history.map((h) => ({ ...h, tenantId: tenant, timeMs: nowMs })))
        .catch((err: unknown) => this.log(`alert history: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Firing alerts of log and span rules get their excerpt, a bounded number per tick. */
  private async addExcerpts(
    tenant: string,
    notifications: readonly GroupNotification[],
    specs: ReadonlyMap<string, AlertRuleInput>,
    nowMs: number,
  ): Promise<void> {
    const reader = this.cfg.excerpts;
    if (!reader) return;
    const wanted = new Map<string, { spec: AlertRuleInput; labels: Record<string, string> }>();
    for (const a of notifications.flatMap((n) => n.alerts)) {
      const spec = a.source && specs.get(a.source.ruleId);
      if (!spec || a.status !== 'firing' || (spec.condition.kind !== 'log_count' && spec.condition.kind !== 'span'))
        continue;
      if (wanted.size >= (this.cfg.maxExcerpts ?? 10)) break;
      wanted.set(`${a.source!.ruleId}\0${a.source!.groupKey}`, { spec, labels: a.labels });
    }
    const lines = new Map<string, string[]>();
    await mapConcurrently([...wanted], 4, async ([key, w]) => {
      lines.set(key, await reader.excerpt(tenant, w.spec, w.labels, nowMs));
    });
    for (const a of notifications.flatMap((n) => n.alerts)) {
      const got = a.source && lines.get(`${a.source.ruleId}\0${a.source.groupKey}`);
      if (got?.length) a.excerpt = got;
    }
  }

  private incoming(inst: RoutableInstance): IncomingAlert {
    const base = this.cfg.consoleUrl?.replace(/\/$/, '');
    return {
      labels: alertLabels(inst.spec, inst.labels),
      annotations: inst.annotations,
      startsAtMs: inst.firedAtMs,
      endsAtMs: inst.state === 'resolved' ? (inst.resolvedAtMs ?? this.now()) : null,
      value: inst.value,
      ...(base ? { generatorURL: `${base}/alerts?rule=${encodeURIComponent(inst.ruleId)}` } : {}),
      source: { ruleId: inst.ruleId, groupKey: inst.groupKey },
    };
  }
}
