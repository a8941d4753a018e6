// The body Alertmanager's webhook receiver POSTs (version "4", docs/configuration.md
// "<webhook_config>"), built from a group notification, so a receiver written for
// Alertmanager takes TelemetryFlow's notifications unchanged.
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';

export interface AlertmanagerWebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  /** TelemetryFlow's addition (receivers ignore fields they do not know): log lines or top errors of log and span rules. */
  excerpt?: string[];
}

export interface AlertmanagerWebhookMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  notification_reason: string;
  alerts: AlertmanagerWebhookAlert[];
}

/** Go's zero time.Time, which Alertmanager sends as `endsAt` of a firing alert. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 as Go's time.Time marshals to JSON: no fraction when it is zero, trailing zeros trimmed. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Alertmanager escapes the receiver name as a regular expression (regexp.QuoteMeta) in this field. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** The labels (or annotations) every alert has with the same value. */
function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

function webhookAlert(a: NotifiedAlert): AlertmanagerWebhookAlert {
  return {
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: goTime(a.startsAtMs),
    endsAt: a.status === 'resolved' && a.endsAtMs !== null ? goTime(a.endsAtMs) : GO_ZERO_TIME,
    generatorURL: a.generatorURL ?? '',
    fingerprint: a.fingerprint,
    ...(a.excerpt?.length ? { excerpt: a.excerpt } : {}),
  };
}

/** `externalURL`: where the notifications come from (the console), Alertmanager's backlink. */
export function alertmanagerWebhookBody(n: GroupNotification, externalURL: string): AlertmanagerWebhookMessage {
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.truncatedAlerts ?? 0,
    status: n.status,
    receiver: quoteMeta(n.receiver),
    groupLabels: n.groupLabels,
    commonLabels: common(n.alerts.map((a) => a.labels)),
    commonAnnotations: common(n.alerts.map((a) => a.annotations)),
    externalURL,
    notification_reason: n.reason,
    alerts: n.alerts.map(webhookAlert),
  };
}
