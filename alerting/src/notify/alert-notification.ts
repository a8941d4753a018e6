import { createHash } from 'node:crypto';
import type { AlertRuleInput, Severity } from '@telemetryflow/contract';
import type { InstanceState } from '../evaluation/state-machine.js';
import { renderAnnotations } from '../evaluation/templating.js';
import type { AlertRuleEntity } from '../store/entities.js';

/** What every channel renders: one alert instance firing or resolved (or a test message). */
export interface AlertNotification {
  kind: 'firing' | 'resolved' | 'test';
  ruleId: string;
  ruleName: string;
  severity: Severity;
  groupKey: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  /** RFC 3339: when the alert fired. */
  startsAt: string;
  /** RFC 3339: when it resolved; null while firing. */
  endsAt: string | null;
  /** Stable per tenant, rule and group: PagerDuty's dedup_key, the webhook's alert id. */
  fingerprint: string;
  /** The alert in the console, when TF_CONSOLE_URL is set. */
  url: string | null;
  /** Of log and span rules: the latest matching log lines or the most frequent span errors. */
  excerpt?: string[];
}

/** Hex sha256 of tenant, rule and group (NUL-separated, so no two inputs collide). */
export function alertFingerprint(tenant: string, ruleId: string, groupKey: string): string {
  return createHash('sha256').update(`${tenant}\0${ruleId}\0${groupKey}`).digest('hex').slice(0, 32);
}

/** The notification of one alert instance; `labels` are the alert's labels (see alertLabels). */
export function alertNotification(
  row: Pick<AlertRuleEntity, 'id' | 'tenantId' | 'name' | 'spec'>,
  kind: 'firing' | 'resolved',
  inst: Pick<InstanceState, 'groupKey' | 'value' | 'firedAtMs' | 'resolvedAtMs' | 'lastEvaluatedAtMs'>,
  labels: Record<string, string>,
  consoleUrl?: string,
): AlertNotification {
  return {
    kind,
    ruleId: row.id,
    ruleName: row.name,
    severity: row.spec.severity,
    groupKey: inst.groupKey,
    labels,
    annotations: renderAnnotations(row.spec.annotations, { value: inst.value, labels }),
    value: inst.value,
    startsAt: new Date(inst.firedAtMs ?? inst.lastEvaluatedAtMs).toISOString(),
    endsAt: kind === 'resolved' ? new Date(inst.resolvedAtMs ?? inst.lastEvaluatedAtMs).toISOString() : null,
    fingerprint: alertFingerprint(row.tenantId, row.id, inst.groupKey),
    url: consoleUrl ? `${consoleUrl.replace(/\/$/, '')}/alerts?rule=${encodeURIComponent(row.id)}` : null,
  };
}

/**
 * An alert's labels, which silences match and notifications carry: the rule's name and
 * severity, the service its condition is about, the rule's labels and the group's.
 */
export function alertLabels(
  rule: Pick<AlertRuleInput, 'name' | 'severity' | 'labels' | 'condition'>,
  group: Record<string, string>,
): Record<string, string> {
  const service: Record<string, string> =
    'service' in rule.condition && rule.condition.service !== undefined ? { service: rule.condition.service } : {};
  return { alertname: rule.name, severity: rule.severity, ...service, ...rule.labels, ...group };
}
