// Alertmanager's dispatcher and notification pipeline in one small state machine, driven
// by the caller's clock: alerts are routed into aggregation groups (one per route and set
// of group labels); a group first flushes `group_wait` after it was created (at once when
// its first alert is older than that), then every `group_interval`; a flush is muted by
// the route's time intervals and by silences, and notifies the receiver only when the
// dedup rules say so (new alerts, resolved alerts, or `repeat_interval` elapsed). One
// flush is at most one notification per group.
import { compareAlertLabels, labelSetFingerprint, labelSetString } from './label-sets.js';
import { notifyReason, type NotificationLogEntry, type NotifyReason } from './notification-reason.js';
import { groupLabelsOf, matchRoutes, walkRoutes, type NotificationPolicy, type Route } from './route-tree.js';
import { silencedBy, type CompiledSilence } from './silence-matching.js';
import { intervalsContaining } from './time-intervals.js';

/** An alert as its source last reported it. */
export interface IncomingAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAtMs: number;
  /** When it resolved; null while it fires. */
  endsAtMs: number | null;
  /** Where the alert comes from (a link to its rule). */
  generatorURL?: string;
  /** The value that fired it, for messages. */
  value?: number | null;
  /** The rule and its group the alert comes from (for the alert history). */
  source?: { ruleId: string; groupKey: string };
}

export interface NotifiedAlert extends IncomingAlert {
  status: 'firing' | 'resolved';
  /** Of log and span rules: matching log lines or top error messages, added when the notification is made. */
  excerpt?: string[];
  /** Of the labels, as Alertmanager computes it (16 hex digits). */
  fingerprint: string;
}

/** One notification to one receiver about one group. */
export interface GroupNotification {
  receiver: string;
  /** `<route key>:<group labels>`, as Alertmanager writes it: stable for the group, a receiver's dedup key. */
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Firing when any alert in it fires. */
  status: 'firing' | 'resolved';
  reason: NotifyReason;
  alerts: NotifiedAlert[];
  atMs: number;
  /** Alerts of the group left out of `alerts` to keep the message bounded (Alertmanager's `truncatedAlerts`). */
  truncatedAlerts?: number;
}

export interface AggregatorOptions {
  /** Whether a receiver is told about resolved alerts (default: yes). */
  sendsResolved?: (receiver: string) => boolean;
  /** The silences in force; read at every flush. */
  silences?: () => readonly CompiledSilence[];
  /** Most aggregation groups held at once; an alert that would open one more is refused (default 10,000). */
  maxGroups?: number;
}

/** The aggregator's state as JSON, so it outlives a process and moves between replicas. */
export interface AggregatorSnapshot {
  groups: {
    routeIndex: number;
    routeKey: string;
    labels: Record<string, string>;
    alerts: [string, IncomingAlert][];
    nextFlushMs: number;
  }[];
  notified: { receiver: string; groupKey: string; firing: string[]; resolved: string[]; atMs: number }[];
}

interface AggregationGroup {
  route: Route;
  groupKey: string;
  labels: Record<string, string>;
  alerts: Map<string, IncomingAlert>;
  nextFlushMs: number;
}

export class AlertAggregator {
  private readonly groups = new Map<string, AggregationGroup>();
  /** What each receiver was last told about each group (Alertmanager's notification log). */
  private readonly notified = new Map<string, NotificationLogEntry>();

  constructor(
    private readonly policy: NotificationPolicy,
    private readonly opts: AggregatorOptions = {},
  ) {}

  /**
   * Takes an alert (new, still firing, or resolved) into every group its routes put it in;
   * returns how many groups hold it (0 when the group limit refused it).
   */
  receive(alert: IncomingAlert, nowMs: number): number {
    const fingerprint = labelSetFingerprint(alert.labels);
    let held = 0;
    for (const route of matchRoutes(this.policy.root, alert.labels)) {
      const labels = groupLabelsOf(route, alert.labels);
      const id = `${route.index}\0${labelSetFingerprint(labels)}`;
      let group = this.groups.get(id);
      if (!group) {
        if (this.groups.size >= (this.opts.maxGroups ?? 10_000)) continue;
        const oldEnough = alert.startsAtMs + route.groupWaitMs < nowMs;
        group = {
          route,
          groupKey: `${route.key}:${labelSetString(labels)}`,
          labels,
          alerts: new Map(),
          nextFlushMs: oldEnough ? nowMs : nowMs + route.groupWaitMs,
        };
        this.groups.set(id, group);
      }
      group.alerts.set(fingerprint, alert);
      held++;
    }
    return held;
  }

  /** When the next group is due to flush; null when no group is held. */
  nextFlushMs(): number | null {
    let next: number | null = null;
    for (const g of this.groups.values()) next = next === null ? g.nextFlushMs : Math.min(next, g.nextFlushMs);
    return next;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /** Every alert held in some group, by fingerprint. */
  heldAlerts(): Map<string, IncomingAlert> {
    const held = new Map<string, IncomingAlert>();
    for (const g of this.groups.values()) for (const [fp, a] of g.alerts) held.set(fp, a);
    return held;
  }

  /**
   * The state to store. Notification log entries older than twice the longest repeat
   * interval are dropped (Alertmanager's log retention), so the log stays bounded.
   */
  snapshot(nowMs: number): AggregatorSnapshot {
    const longest = Math.max(...walkRoutes(this.policy.root).map((r) => r.repeatIntervalMs));
    return {
      groups: [...this.groups.values()].map((g) => ({
        routeIndex: g.route.index,
        routeKey: g.route.key,
        labels: g.labels,
        alerts: [...g.alerts.entries()],
        nextFlushMs: g.nextFlushMs,
      })),
      notified: [...this.notified.entries()]
        .filter(([, e]) => nowMs - e.atMs <= 2 * longest)
        .map(([key, e]) => {
          const [receiver, groupKey] = key.split('\0') as [string, string];
          return { receiver, groupKey, firing: [...e.firing], resolved: [...e.resolved], atMs: e.atMs };
        }),
    };
  }

  /**
   * Takes over a stored state. A group whose route is no longer in the tree (the policy
   * changed) is dropped: its firing alerts are received again from their source.
   */
  restore(state: AggregatorSnapshot): void {
    const routes = new Map(walkRoutes(this.policy.root).map((r) => [r.index, r]));
    for (const g of state.groups) {
      const route = routes.get(g.routeIndex);
      if (!route || route.key !== g.routeKey || this.groups.size >= (this.opts.maxGroups ?? 10_000)) continue;
      const labels = groupLabelsOf(route, g.labels);
      this.groups.set(`${route.index}\0${labelSetFingerprint(labels)}`, {
        route,
        groupKey: `${route.key}:${labelSetString(labels)}`,
        labels,
        alerts: new Map(g.alerts),
        nextFlushMs: g.nextFlushMs,
      });
    }
    for (const e of state.notified)
      this.notified.set(`${e.receiver}\0${e.groupKey}`, {
        firing: new Set(e.firing),
        resolved: new Set(e.resolved),
        atMs: e.atMs,
      });
  }

  /** Flushes every group that is due at `nowMs`; the notifications to send, at most one per group. */
  flush(nowMs: number): GroupNotification[] {
    const due = [...this.groups.entries()]
      .filter(([, g]) => g.nextFlushMs <= nowMs)
      .sort(([, a], [, b]) => a.nextFlushMs - b.nextFlushMs);
    const out: GroupNotification[] = [];
    for (const [id, group] of due) {
      group.nextFlushMs = nowMs + group.route.groupIntervalMs;
      const snapshot = [...group.alerts.entries()];
      const alerts = snapshot
        .map(([fingerprint, a]): NotifiedAlert => {
          const resolved = a.endsAtMs !== null && a.endsAtMs <= nowMs;
          return {
            ...a,
            endsAtMs: resolved ? a.endsAtMs : null,
            status: resolved ? 'resolved' : 'firing',
            fingerprint,
          };
        })
        .sort((a, b) => compareAlertLabels(a.labels, b.labels));
      const n = this.notification(group, alerts, nowMs);
      if (n) out.push(n);
      // Resolved alerts were dealt with; one that fired again since the snapshot stays.
      for (const [fingerprint, a] of snapshot) {
        if (a.endsAtMs !== null && a.endsAtMs <= nowMs && group.alerts.get(fingerprint) === a)
          group.alerts.delete(fingerprint);
      }
      if (group.alerts.size === 0) this.groups.delete(id);
    }
    return out;
  }

  private notification(group: AggregationGroup, alerts: NotifiedAlert[], nowMs: number): GroupNotification | null {
    const { route } = group;
    const intervals = this.policy.timeIntervals;
    if (
      route.activeTimeIntervals.length > 0 &&
      intervalsContaining(intervals, route.activeTimeIntervals, nowMs).length === 0
    )
      return null;
    if (intervalsContaining(intervals, route.muteTimeIntervals, nowMs).length > 0) return null;
    const silences = this.opts.silences?.() ?? [];
    const unmuted = alerts.filter((a) => silencedBy(silences, a.labels, nowMs).length === 0);
    if (unmuted.length === 0) return null;

    const firing = new Set(unmuted.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
    const resolved = new Set(unmuted.filter((a) => a.status === 'resolved').map((a) => a.fingerprint));
    const logKey = `${route.receiver}\0${group.groupKey}`;
    const last = this.notified.get(logKey);
    // Alertmanager keeps a log entry for twice the repeat interval.
    const entry = last && nowMs - last.atMs <= 2 * route.repeatIntervalMs ? last : null;
    const sendResolved = this.opts.sendsResolved?.(route.receiver) ?? true;
    const reason = notifyReason(entry, firing, resolved, route.repeatIntervalMs, nowMs, sendResolved);
    if (reason === null) return null;
    this.notified.set(logKey, { firing, resolved, atMs: nowMs });
    const sent = sendResolved ? unmuted : unmuted.filter((a) => a.status === 'firing');
    if (sent.length === 0) return null;
    return {
      receiver: route.receiver,
      groupKey: group.groupKey,
      groupLabels: group.labels,
      status: sent.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      reason,
      alerts: sent,
      atMs: nowMs,
    };
  }
}
