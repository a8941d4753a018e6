import { durationMs, type AlertRuleInput } from '@telemetryflow/schemas';
import type { DataSource, EntityManager } from 'typeorm';
import { evaluateRule } from '../evaluation/evaluate-rule.js';
import type { InstanceState } from '../evaluation/state-machine.js';
import { renderAnnotations } from '../evaluation/templating.js';
import type { AlertHistory, HistoryEntry } from '../history/alert-history.js';
import { alertFingerprint, type AlertNotification } from '../notify/alert-notification.js';
import { planNotifications } from '../notify/notification-policy.js';
import { isSilenced } from '../notify/silences.js';
import type { ConditionReader } from '../sources/clickhouse-condition-reader.js';
import { syncAutomaticIncidents } from '../status/automatic-incidents.js';
import { AlertStateStore } from '../store/alert-state-store.js';
import type { AlertRuleEntity } from '../store/entities.js';
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
  /** Console base URL for links in notifications. */
  consoleUrl?: string;
  now?: () => number;
  log?: (msg: string) => void;
}

/**
 * An alert's labels, which silences match and notifications carry: the rule's name and
 * severity, the service its condition is about, the rule's labels and the group's.
 */
export function alertLabels(rule: Pick<AlertRuleInput, 'name' | 'severity' | 'labels' | 'condition'>, group: Record<string, string>): Record<string, string> {
  const service: Record<string, string> = 'service' in rule.condition && rule.condition.service !== undefined ? { service: rule.condition.service } : {};
  return { alertname: rule.name, severity: rule.severity, ...service, ...rule.labels, ...group };
}

/**
 * Evaluates due rules. Each rule is leased to one replica at a time in Postgres, and its
 * results and notifications are committed only under that lease (ADR 0008), so any number
 * of replicas evaluate and notify each rule once per interval.
 */
export class RuleScheduler {
  private readonly store: AlertStateStore;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(private readonly cfg: SchedulerConfig) {
    this.store = new AlertStateStore(cfg.dataSource);
    this.now = cfg.now ?? Date.now;
    this.log = cfg.log ?? (() => {});
  }

  /** Claims and evaluates due rules once; returns how many it evaluated. */
  async tick(): Promise<number> {
    const ids = await this.store.claimDue(this.cfg.replicaId, this.cfg.leaseMs ?? 60_000, this.cfg.batchSize ?? 20);
    for (const id of ids) {
      try {
        await this.evaluate(id);
      } catch (err) {
        this.log(`alert rule ${id}: evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return ids.length;
  }

  /** Ticks every `periodMs` until the returned loop is stopped. */
  start(periodMs = 1000): TickLoop {
    return startTickLoop('alert scheduler', () => this.tick(), periodMs, this.log);
  }


  private async evaluate(ruleId: string): Promise<void> {
    const row = await this.store.loadRule(ruleId);
    if (!row) return;
    const rule = row.spec;
    const intervalMs = durationMs(rule.interval);
    const nowMs = this.now();
    const history: HistoryEntry[] = [];
    const entry = (e: Omit<HistoryEntry, 'tenantId' | 'timeMs' | 'ruleId' | 'ruleName'>): HistoryEntry => ({ tenantId: row.tenantId, timeMs: nowMs, ruleId, ruleName: row.name, ...e });
    const stored = await this.store.loadInstances(ruleId);
    let samples;
    try {
      samples = await this.cfg.reader.read(row.tenantId, rule, nowMs);
    } catch (err) {
      await this.store.release(ruleId, this.cfg.replicaId, intervalMs);
      await this.cfg.history.record([entry({ groupKey: '', labels: {}, event: 'evaluation', outcome: 'error', message: err instanceof Error ? err.message : String(err) })]);
      return;
    }
    const previous = new Map([...stored].map(([k, v]) => [k, v.state]));
    const result = evaluateRule(rule, samples, previous, nowMs);
    const silences = await this.store.activeSilences(row.tenantId, nowMs);
    const plan = planNotifications(
      result.instances, result.transitions,
      new Map([...stored].map(([k, v]) => [k, v.lastNotifiedMs])),
      { groupWaitMs: durationMs(rule.groupWait), repeatIntervalMs: durationMs(rule.repeatInterval) },
      nowMs,
      (labels) => isSilenced(silences, alertLabels(rule, labels), nowMs),
    );
    const annotated = [...result.instances.values()].map((state) => ({
      state,
      annotations: renderAnnotations(rule.annotations, { value: state.value, labels: alertLabels(rule, state.labels) }),
      lastNotifiedMs: plan.lastNotifiedMs.get(state.groupKey) ?? null,
    }));
    const notifications: AlertNotification[] = [];
    for (const d of plan.decisions) {
      const inst = result.instances.get(d.groupKey) ?? stored.get(d.groupKey)?.state;
      if (!inst) continue;
      const labels = alertLabels(rule, inst.labels);
      history.push(entry({ groupKey: d.groupKey, labels: inst.labels, event: 'notification', toState: d.kind, value: inst.value, outcome: d.suppressed ? 'suppressed' : 'queued' }));
      if (!d.suppressed) notifications.push(this.notification(row, d.kind, inst, labels));
    }
    const firingChanged = result.transitions.some((t) => t.to === 'firing' || t.from === 'firing');
    const firingNow = [...result.instances.values()].some((i) => i.state === 'firing');
    const committed = await this.store.commit(ruleId, row.tenantId, this.cfg.replicaId, {
      instances: annotated, notifications, channelIds: rule.channels, intervalMs,
      ...(firingChanged ? { alsoWrite: (em: EntityManager) => syncAutomaticIncidents(em, row.tenantId, ruleId, rule.severity, firingNow, nowMs) } : {}),
    });
    if (!committed) {
      this.log(`alert rule ${ruleId}: lease lost during evaluation; results dropped`);
      return;
    }
    history.unshift(entry({ groupKey: '', labels: {}, event: 'evaluation', outcome: 'ok', message: `${samples.length} group(s)` }));
    for (const t of result.transitions) {
      history.push(entry({ groupKey: t.groupKey, labels: t.labels, event: 'transition', fromState: t.from, toState: t.to, value: t.value }));
    }
    await this.cfg.history.record(history).catch((err: unknown) => this.log(`alert history: ${err instanceof Error ? err.message : String(err)}`));
  }

  private notification(row: AlertRuleEntity, kind: 'firing' | 'resolved', inst: InstanceState, labels: Record<string, string>): AlertNotification {
    const rule = row.spec;
    return {
      kind,
      ruleId: row.id,
      ruleName: row.name,
      severity: rule.severity,
      groupKey: inst.groupKey,
      labels,
      annotations: renderAnnotations(rule.annotations, { value: inst.value, labels }),
      value: inst.value,
      startsAt: new Date(inst.firedAtMs ?? inst.lastEvaluatedAtMs).toISOString(),
      endsAt: kind === 'resolved' ? new Date(inst.resolvedAtMs ?? inst.lastEvaluatedAtMs).toISOString() : null,
      fingerprint: alertFingerprint(row.tenantId, row.id, inst.groupKey),
      url: this.cfg.consoleUrl ? `${this.cfg.consoleUrl.replace(/\/$/, '')}/alerts?rule=${encodeURIComponent(row.id)}` : null,
    };
  }
}
