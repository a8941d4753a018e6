// What a channel gets for a group notification of a notification policy: the webhook
// Alertmanager's own body (version 4, signed as every TelemetryFlow webhook), Slack one
// message for the group, PagerDuty one incident per group (dedup key from the group key,
// as Alertmanager's PagerDuty integration does), e-mail Alertmanager's default template,
// Teams one card per group, Opsgenie one alert per group (alias from the group key).
import { createHash } from 'node:crypto';
import type { ChannelInput } from '@telemetryflow/contract';
import { formatValue } from '../evaluation/templating.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import { labelSetFingerprint } from '../routing/label-sets.js';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { alertmanagerWebhookBody } from './alertmanager-webhook.js';
import {
  opsgenieRequest,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
  type OutboundRequest,
} from './channel-messages.js';
import { emailSubject } from './email-message.js';
import { opsgenieGroupCall } from './opsgenie-alert.js';
import { teamsGroupMessage } from './teams-message.js';

/** An outbox payload made by the router: one group notification, for one channel. */
export interface GroupPayload {
  format: 'group';
  notification: GroupNotification;
  /** The console, Alertmanager's `externalURL` (empty when TF_CONSOLE_URL is not set). */
  externalURL: string;
}

export function isGroupPayload(p: unknown): p is GroupPayload {
  return typeof p === 'object' && p !== null && (p as { format?: unknown }).format === 'group';
}

/** Alertmanager's defaults of `send_resolved` per integration. */
export function sendsResolved(type: ChannelInput['type']): boolean {
  return type === 'webhook' || type === 'pagerduty' || type === 'msteams' || type === 'opsgenie';
}

/** A channel's `sendResolved`, or its integration's default. */
export function channelSendsResolved(c: { type: ChannelInput['type']; config: Record<string, unknown> }): boolean {
  return typeof c.config.sendResolved === 'boolean' ? c.config.sendResolved : sendsResolved(c.type);
}

/** A rule's own notification (no policy) as a group of one alert, for e-mail. */
export function singleAlertGroup(n: AlertNotification): GroupNotification {
  const alert: NotifiedAlert = {
    labels: n.labels,
    annotations: n.annotations,
    startsAtMs: Date.parse(n.startsAt),
    endsAtMs: n.endsAt === null ? null : Date.parse(n.endsAt),
    value: n.value,
    ...(n.url ? { generatorURL: n.url } : {}),
    status: n.kind === 'resolved' ? 'resolved' : 'firing',
    fingerprint: labelSetFingerprint(n.labels),
    ...(n.excerpt ? { excerpt: n.excerpt } : {}),
  };
  return {
    receiver: '',
    groupKey: n.groupKey,
    groupLabels: { alertname: n.ruleName },
    status: alert.status,
    reason: n.kind === 'resolved' ? 'all alerts resolved' : 'first notification',
    alerts: [alert],
    atMs: Date.now(),
  };
}

const MAX_SLACK_ALERTS = 10;

function slackAlertLine(a: NotifiedAlert): string {
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  const value = a.value !== undefined && a.value !== null ? ` (value ${formatValue(a.value)})` : '';
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const excerpt = a.excerpt?.length ? `\n\`\`\`${a.excerpt.join('\n')}\`\`\`` : '';
  return `*${a.status === 'firing' ? 'Firing' : 'Resolved'}*${value}: ${summary}\n${labels}${excerpt}`;
}

export function slackGroupMessage(p: GroupPayload): Record<string, unknown> {
  const n = p.notification;
  const subject = emailSubject(n);
  const lines = n.alerts.slice(0, MAX_SLACK_ALERTS).map(slackAlertLine);
  const more = n.alerts.length - lines.length + (n.truncatedAlerts ?? 0);
  if (more > 0) lines.push(`… and ${more} more`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150), emoji: true } },
    ...lines.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } })),
  ];
  if (p.externalURL)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in TelemetryFlow' }, url: p.externalURL }],
    });
  return { text: subject.slice(0, 3000), blocks };
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export function pagerDutyGroupEvent(p: GroupPayload, routingKey: string): Record<string, unknown> {
  const n = p.notification;
  const dedupKey = createHash('sha256').update(n.groupKey).digest('hex');
  if (n.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const severity = n.alerts.find((a) => PD_SEVERITIES.has(a.labels.severity ?? ''))?.labels.severity ?? 'error';
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: emailSubject(n).slice(0, 1024),
      source: n.alerts[0]?.labels.service ?? 'telemetryflow',
      severity,
      custom_details: {
        firing: n.alerts.filter((a) => a.status === 'firing').map(slackAlertLine),
        resolved: n.alerts.filter((a) => a.status === 'resolved').map(slackAlertLine),
        num_firing: n.alerts.filter((a) => a.status === 'firing').length,
      },
    },
    ...(p.externalURL ? { links: [{ href: p.externalURL, text: 'Open in TelemetryFlow' }] } : {}),
  };
}

/** The HTTP request for a group notification (not for e-mail channels). */
export function groupChannelRequest(
  channel: Exclude<ChannelInput, { type: 'email' }>,
  p: GroupPayload,
  nowMs: number,
): OutboundRequest {
  const json = { 'content-type': 'application/json' };
  switch (channel.type) {
    case 'slack':
      return { url: channel.url, headers: json, body: JSON.stringify(slackGroupMessage(p)) };
    case 'pagerduty':
      return { url: channel.url, headers: json, body: JSON.stringify(pagerDutyGroupEvent(p, channel.routingKey)) };
    case 'msteams':
      return {
        url: channel.url,
        headers: json,
        body: JSON.stringify(teamsGroupMessage(p.notification, p.externalURL)),
      };
    case 'opsgenie':
      return opsgenieRequest(opsgenieGroupCall(p.notification, p.externalURL, channel.apiUrl), channel.apiKey);
    case 'webhook': {
      const body = JSON.stringify(alertmanagerWebhookBody(p.notification, p.externalURL));
      const ts = Math.floor(nowMs / 1000);
      return {
        url: channel.url,
        headers: {
          ...json,
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: webhookSignature(channel.secret, ts, body),
        },
        body,
      };
    }
  }
}
