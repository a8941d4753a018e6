import { ApiError } from '@telemetryflow/http-kit';
import { QueryError } from '@telemetryflow/promql';
import { durationMs, type AlertRuleInput } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { evaluateRule } from '../evaluation/evaluate-rule.js';
import { renderAnnotations } from '../evaluation/templating.js';
import type { AlertHistory, HistoryEntry } from '../history/alert-history.js';
import { alertLabels, alertNotification, type AlertNotification } from '../notify/alert-notification.js';
import { planNotifications } from '../notify/notification-policy.js';
import { isSilenced } from '../notify/silences.js';
import type { AlertExcerpts } from '../sources/alert-excerpts.js';
import type { ConditionReader } from '../sources/condition-reader.js';
import { syncAutomaticIncidents } from '../status/automatic-incidents.js';
import { AlertStateStore } from '../store/alert-state-store.js';
import { RoutingStateStore } from '../store/routing-state-store.js';
import type { AlertingMetrics } from '../alerting-metrics.js';
import { mapConcurrently } from './map-concurrently.js';
import { startTickLoop, type TickLoop } from './tick-loop.js';

export interface SchedulerConfig {
  dataSource: DataSource;
  reader: ConditionReader;
  history: AlertHistory;
  /** Unique per process: the lease holder name. */
  replicaId: string;
  /** How long a lease lasts; an evaluation must finish within it (default 60 s). */
  leaseMs?: number;
  /** Rules claimed per tick (default 20). */
  batchSize?: number;
  /** Rules evaluated at once (default 4). */
  concurrency?: number;
  /** Console base URL for links in notifications. */
  consoleUrl?: string;
  metrics?: AlertingMetrics;
  /** Log lines and top errors for firing notifications of log and span rules (at most 5 per evaluation). */
  excerpts?: AlertExcerpts;
  now?: () => number;
  log?: (msg: string) => void;
}

/**
 * Evaluates due rules. Each rule is leased to one replica at a time in Postgres, and its
 * results and notifications are committed only under that lease (ADR 0010), so any number
 * of replicas evaluate and notify each rule once per interval.
 */
export class RuleScheduler {
  private readonly store: AlertStateStore;
  private readonly routing: RoutingStateStore;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(private readonly cfg: SchedulerConfig) {
    this.store = new AlertStateStore(cfg.dataSource);
    this.routing = new RoutingStateStore(cfg.dataSource);
    this.now = cfg.now ?? Date.now;
    this.log = cfg.log ?? (() => {});
  }

  /** Claims and evaluates due rules once; returns how many it evaluated. */
  async tick(): Promise<number> {
    const claimed = await this.store.claimDue(this.cfg.replicaId, this.cfg.leaseMs ?? 60_000, this.cfg.batchSize ?? 20);
    for (const c of claimed) this.cfg.metrics?.evaluationDelaySeconds.observe(c.lateSeconds);
    const ids = claimed.map((c) => c.id);
    // A few at a time: one slow query does not hold up the other claimed rules, and the
    // ClickHouse and Postgres pools are not flooded.
    await mapConcurrently(ids, this.cfg.concurrency ?? 4, async (id) => {
      const stopTimer = this.cfg.metrics?.evaluationSeconds.startTimer();
      let outcome: 'ok' | 'error' | 'lost' = 'error';
      try {
        outcome = await this.evaluate(id);
      } catch (err) {
        this.log(`alert rule ${id}: evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      stopTimer?.();
      this.cfg.metrics?.evaluations.inc({ outcome });
    });
    return ids.length;
  }

  /** Ticks every `periodMs` until the returned loop is stopped. */
  start(periodMs = 1000): TickLoop {
    return startTickLoop('alert scheduler', () => this.tick(), periodMs, this.log);
  }

  private async addExcerpts(
    tenant: string,
    rule: AlertRuleInput,
    notifications: AlertNotification[],
    nowMs: number,
  ): Promise<void> {
    const reader = this.cfg.excerpts;
    if (!reader || (rule.condition.kind !== 'log_count' && rule.condition.kind !== 'span')) return;
    const firing = notifications.filter((n) => n.kind === 'firing').slice(0, MAX_EXCERPTS);
    await mapConcurrently(firing, 2, async (n) => {
      const lines = await reader.excerpt(tenant, rule, n.labels, nowMs);
      if (lines.length > 0) n.excerpt = lines;
    });
  }

  private async evaluate(ruleId: string): Promise<'ok' | 'error' | 'lost'> {
    const row = await this.store.loadRule(ruleId);
    if (!row) return 'lost';
    const rule = row.spec;
    const intervalMs = durationMs(rule.interval);
    const nowMs = this.now();
    const history: HistoryEntry[] = [];
    const entry = (e: Omit<HistoryEntry, 'tenantId' | 'timeMs' | 'ruleId' | 'ruleName'>): HistoryEntry => ({
      tenantId: row.tenantId,
      timeMs: nowMs,
      ruleId,
      ruleName: row.name,
      ...e,
    });
    const stored = await this.store.loadInstances(ruleId);
    let samples;
    try {
      samples = await this.cfg.reader.read(row.tenantId, rule, nowMs);
    } catch (err) {
      await this.store.release(ruleId, this.cfg.replicaId, intervalMs);
      this.log(
        `alert rule ${ruleId}: its condition could not be read: ${err instanceof Error ? err.message : String(err)}`,
      );
      await this.cfg.history.record([
        entry({ groupKey: '', labels: {}, event: 'evaluation', outcome: 'error', message: evaluationError(err) }),
      ]);
      return 'error';
    }
    const previous = new Map([...stored].map(([k, v]) => [k, v.state]));
    const result = evaluateRule(rule, samples, previous, nowMs);
    const silences = await this.store.activeSilences(row.tenantId, nowMs);
    // A tenant with a notification policy is notified by the router, per group; without
    // one, each rule notifies its own channels here.
    const routed = await this.routing.hasPolicy(row.tenantId);
    const plan = planNotifications(
      result.instances,
      result.transitions,
      new Map([...stored].map(([k, v]) => [k, v.lastNotifiedMs])),
      { groupWaitMs: durationMs(rule.groupWait), repeatIntervalMs: durationMs(rule.repeatInterval) },
      nowMs,
      (labels) => isSilenced(silences, alertLabels(rule, labels), nowMs),
    );
    const annotated = [...result.instances.values()].map((state) => ({
      state,
      annotations: renderAnnotations(rule.annotations, { value: state.value, labels: alertLabels(rule, state.labels) }),
      lastNotifiedMs: routed
        ? (stored.get(state.groupKey)?.lastNotifiedMs ?? null)
        : (plan.lastNotifiedMs.get(state.groupKey) ?? null),
    }));
    const notifications: AlertNotification[] = [];
    for (const d of routed ? [] : plan.decisions) {
      const inst = result.instances.get(d.groupKey) ?? stored.get(d.groupKey)?.state;
      if (!inst) continue;
      const labels = alertLabels(rule, inst.labels);
      history.push(
        entry({
          groupKey: d.groupKey,
          labels: inst.labels,
          event: 'notification',
          toState: d.kind,
          value: inst.value,
          outcome: d.suppressed ? 'suppressed' : rule.channels.length > 0 ? 'queued' : 'no channel',
        }),
      );
      if (!d.suppressed) notifications.push(alertNotification(row, d.kind, inst, labels, this.cfg.consoleUrl));
    }
    await this.addExcerpts(row.tenantId, rule, notifications, nowMs);
    const firingChanged = result.transitions.some((t) => t.to === 'firing' || t.from === 'firing');
    const firingNow = [...result.instances.values()].some((i) => i.state === 'firing');
    const committed = await this.store.commit(ruleId, row.tenantId, this.cfg.replicaId, {
      instances: annotated,
      notifications,
      channelIds: rule.channels,
      intervalMs,
      ...(firingChanged
        ? {
            alsoWrite: (em: EntityManager) =>
              syncAutomaticIncidents(em, row.tenantId, ruleId, rule.severity, firingNow, nowMs),
          }
        : {}),
    });
    if (!committed) {
      this.log(`alert rule ${ruleId}: lease lost during evaluation; results dropped`);
      return 'lost';
    }
    // The tenant's router takes a changed alert at once, so group_wait counts from its firing.
    if (routed && firingChanged)
      await this.routing
        .markDue(row.tenantId)
        .catch((err: unknown) => this.log(`notification policy: ${err instanceof Error ? err.message : String(err)}`));
    history.unshift(
      entry({ groupKey: '', labels: {}, event: 'evaluation', outcome: 'ok', message: `${samples.length} group(s)` }),
    );
    for (const t of result.transitions) {
      history.push(
        entry({
          groupKey: t.groupKey,
          labels: t.labels,
          event: 'transition',
          fromState: t.from,
          toState: t.to,
          value: t.value,
        }),
      );
    }
    await this.cfg.history
      .record(history)
      .catch((err: unknown) => this.log(`alert history: ${err instanceof Error ? err.message : String(err)}`));
    return 'ok';
  }
}

/** The most excerpts one evaluation reads (it holds the rule's lease meanwhile). */
const MAX_EXCERPTS = 5;

/**
 * What the alert history (and so the API) says about a failed read: an API error names what
 * is wrong with the rule (a limit, a window), a PromQL error is Prometheus' (as its rule
 * manager shows it); anything else — a store that is down, a socket error with the
 * ClickHouse server's address — is told generically, the detail is logged.
 */
export function evaluationError(err: unknown): string {
  if (err instanceof ApiError || err instanceof QueryError) return err.message;
  return 'the condition could not be read: the telemetry store failed or is unavailable';
}
