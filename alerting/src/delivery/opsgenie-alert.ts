// Opsgenie Alert API v2: an alert is created with an alias (Opsgenie's dedup key) and
// closed by that alias, so one alert or one policy group is one Opsgenie alert.
import { createHash } from 'node:crypto';
import { formatValue } from '../evaluation/templating.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { emailSubject } from './email-message.js';

/** Where to POST and what. */
export interface OpsgenieCall {
  url: string;
  body: Record<string, unknown>;
}

// Opsgenie's documented field limits.
const MAX_MESSAGE = 130;
const MAX_DESCRIPTION = 15_000;
const MAX_TAGS = 20;
const MAX_TAG = 50;
const MAX_DETAIL_VALUE = 500;
const MAX_DETAILS = 8000;
const MAX_ENTITY = 512;

const SEVERITY_PRIORITY: Record<string, string> = {
  critical: 'P1',
  error: 'P2',
  warning: 'P3',
  info: 'P5',
};

/** A `priority` label P1–P5 wins; else the severity (critical P1, error P2, warning P3, info P5); else P3. */
export function opsgeniePriority(labels: Record<string, string>, severity?: string): string {
  const p = labels.priority?.trim().toUpperCase();
  if (p && /^P[1-5]$/.test(p)) return p;
  return SEVERITY_PRIORITY[severity ?? labels.severity ?? ''] ?? 'P3';
}

function base(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '');
}

function createCall(apiUrl: string, body: Record<string, unknown>): OpsgenieCall {
  return { url: `${base(apiUrl)}/v2/alerts`, body };
}

function closeCall(apiUrl: string, alias: string): OpsgenieCall {
  return {
    url: `${base(apiUrl)}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`,
    body: { source: 'TelemetryFlow', note: 'Resolved in TelemetryFlow' },
  };
}

function tags(labels: Record<string, string>, severity: string | undefined): string[] {
  const t = ['telemetryflow'];
  if (severity) t.push(`severity:${severity}`);
  if (labels.service) t.push(`service:${labels.service}`);
  if (labels.alertname) t.push(`alertname:${labels.alertname}`);
  return [...new Set(t.map((x) => x.slice(0, MAX_TAG)))].slice(0, MAX_TAGS);
}

/** Opsgenie takes at most 8,000 characters of details: values are cut, and entries past that left out. */
function details(entries: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(entries)) {
    const value = v.slice(0, MAX_DETAIL_VALUE);
    size += k.length + value.length;
    if (size > MAX_DETAILS) break;
    out[k] = value;
  }
  return out;
}

function lines(title: string, m: Record<string, string>): string[] {
  const e = Object.entries(m);
  return e.length ? [title, ...e.map(([k, v]) => `  ${k}: ${v}`)] : [];
}

/** A rule's own notification (or a channel test): create on firing, close by alias on resolved. */
export function opsgenieCall(n: AlertNotification, apiUrl: string): OpsgenieCall {
  const alias = n.kind === 'test' ? `telemetryflow-test-${n.fingerprint}` : n.fingerprint;
  if (n.kind === 'resolved') return closeCall(apiUrl, alias);
  const summary = n.annotations.summary ?? `${n.ruleName} is ${n.kind} (value ${formatValue(n.value)})`;
  const title = n.kind === 'test' ? 'TelemetryFlow test notification' : `FIRING: ${n.ruleName}`;
  const description = [
    summary,
    '',
    `Value: ${formatValue(n.value)}`,
    `Since: ${n.startsAt}`,
    ...lines('Labels:', n.labels),
    ...lines('Annotations:', n.annotations),
    ...(n.excerpt?.length ? ['Excerpt:', ...n.excerpt] : []),
    ...(n.url ? ['', `Open in TelemetryFlow: ${n.url}`] : []),
  ].join('\n');
  return createCall(apiUrl, {
    message: `${title}: ${summary}`.slice(0, MAX_MESSAGE),
    alias,
    description: description.slice(0, MAX_DESCRIPTION),
    priority: n.kind === 'test' ? 'P5' : opsgeniePriority(n.labels, n.severity),
    tags: tags(n.labels, n.severity),
    details: details({
      ...n.labels,
      value: formatValue(n.value),
      startsAt: n.startsAt,
      ...(n.url ? { url: n.url } : {}),
    }),
    source: 'TelemetryFlow',
    ...(n.labels.service ? { entity: n.labels.service.slice(0, MAX_ENTITY) } : {}),
  });
}

function alertLines(a: NotifiedAlert): string[] {
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  const value = a.value !== undefined && a.value !== null ? ` (value ${formatValue(a.value)})` : '';
  return [
    `${a.status === 'firing' ? 'Firing' : 'Resolved'}${value}: ${summary}`,
    `  ${Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    ...(a.excerpt ?? []).map((l) => `  | ${l}`),
  ];
}

/** The alias of a policy group: SHA-256 of its group key, as Alertmanager's Opsgenie integration does. */
export function opsgenieGroupAlias(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/** A group notification of a notification policy: one Opsgenie alert per group. */
export function opsgenieGroupCall(n: GroupNotification, externalURL: string, apiUrl: string): OpsgenieCall {
  const alias = opsgenieGroupAlias(n.groupKey);
  if (n.status === 'resolved') return closeCall(apiUrl, alias);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const common = Object.fromEntries(
    Object.entries(n.alerts[0]?.labels ?? {}).filter(([k, v]) => n.alerts.every((a) => a.labels[k] === v)),
  );
  const more = n.truncatedAlerts ?? 0;
  const description = [
    ...n.alerts.flatMap(alertLines),
    ...(more > 0 ? [`… and ${more} more`] : []),
    ...(externalURL ? ['', `Open in TelemetryFlow: ${externalURL}`] : []),
  ].join('\n');
  const top = firing.map((a) => opsgeniePriority(a.labels)).sort()[0] ?? 'P3';
  return createCall(apiUrl, {
    message: emailSubject(n).slice(0, MAX_MESSAGE),
    alias,
    description: description.slice(0, MAX_DESCRIPTION),
    priority: top,
    tags: tags(common, common.severity),
    details: details({ ...n.groupLabels, num_firing: String(firing.length) }),
    source: 'TelemetryFlow',
    ...(common.service ? { entity: common.service.slice(0, MAX_ENTITY) } : {}),
  });
}
