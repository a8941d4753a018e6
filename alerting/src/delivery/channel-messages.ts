import { createHmac } from 'node:crypto';
import type { ChannelInput } from '@telemetryflow/contract';
import { formatValue } from '../evaluation/templating.js';
import type { AlertNotification } from '../notify/alert-notification.js';
import { opsgenieCall } from './opsgenie-alert.js';
import { teamsMessage } from './teams-message.js';

/** One HTTP request to a channel. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const SLACK_EMOJI = { firing: ':rotating_light:', resolved: ':white_check_mark:', test: ':wave:' } as const;

function title(n: AlertNotification): string {
  if (n.kind === 'test') return 'TelemetryFlow test notification';
  return `${n.kind === 'firing' ? 'FIRING' : 'RESOLVED'}: ${n.ruleName}`;
}

function summary(n: AlertNotification): string {
  return n.annotations.summary ?? `${n.ruleName} is ${n.kind} (value ${formatValue(n.value)})`;
}

/** Slack incoming webhook: Block Kit, with `text` as the notification fallback. */
export function slackMessage(n: AlertNotification): Record<string, unknown> {
  const labels = Object.entries(n.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: `${SLACK_EMOJI[n.kind]} ${title(n)}`.slice(0, 150), emoji: true },
    },
    { type: 'section', text: { type: 'mrkdwn', text: summary(n).slice(0, 3000) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${n.severity}` },
        { type: 'mrkdwn', text: `*Value*\n${formatValue(n.value)}` },
        { type: 'mrkdwn', text: `*Since*\n${n.startsAt}` },
        { type: 'mrkdwn', text: `*Labels*\n${labels || '—'}`.slice(0, 2000) },
      ],
    },
  ];
  if (n.excerpt?.length)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `\`\`\`${n.excerpt.join('\n')}\`\`\``.slice(0, 3000) },
    });
  if (n.url)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in TelemetryFlow' }, url: n.url }],
    });
  return { text: `${title(n)} — ${summary(n)}`.slice(0, 3000), blocks };
}

const PD_SEVERITY = { critical: 'critical', warning: 'warning', info: 'info' } as const;

/** PagerDuty Events API v2: trigger and resolve share the dedup key, so one alert is one incident. */
export function pagerDutyEvent(n: AlertNotification, routingKey: string): Record<string, unknown> {
  const dedupKey = n.kind === 'test' ? `telemetryflow-test-${n.fingerprint}` : n.fingerprint;
  if (n.kind === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: `${title(n)}: ${summary(n)}`.slice(0, 1024),
      source: n.labels.service ?? 'telemetryflow',
      severity: PD_SEVERITY[n.severity],
      timestamp: n.startsAt,
      component: n.labels.service,
      group: n.ruleName,
      custom_details: {
        value: n.value,
        labels: n.labels,
        annotations: n.annotations,
        ...(n.excerpt ? { excerpt: n.excerpt } : {}),
      },
    },
    ...(n.url ? { links: [{ href: n.url, text: 'Open in TelemetryFlow' }] } : {}),
  };
}

export const SIGNATURE_HEADER = 'x-telemetryflow-signature';
export const TIMESTAMP_HEADER = 'x-telemetryflow-timestamp';

/**
 * `v1=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the channel's secret. Receivers
 * recompute it and reject old timestamps, so a captured request cannot be replayed later.
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** An Opsgenie call with the integration's key (`GenieKey`, Opsgenie's own scheme). */
export function opsgenieRequest(call: { url: string; body: Record<string, unknown> }, apiKey: string): OutboundRequest {
  return {
    url: call.url,
    headers: { 'content-type': 'application/json', authorization: `GenieKey ${apiKey}` },
    body: JSON.stringify(call.body),
  };
}

/** The request a channel gets for a notification. */
export function channelRequest(
  channel: Exclude<ChannelInput, { type: 'email' }>,
  n: AlertNotification,
  nowMs: number,
): OutboundRequest {
  const json = { 'content-type': 'application/json' };
  switch (channel.type) {
    case 'slack':
      return { url: channel.url, headers: json, body: JSON.stringify(slackMessage(n)) };
    case 'pagerduty':
      return { url: channel.url, headers: json, body: JSON.stringify(pagerDutyEvent(n, channel.routingKey)) };
    case 'msteams':
      return { url: channel.url, headers: json, body: JSON.stringify(teamsMessage(n)) };
    case 'opsgenie':
      return opsgenieRequest(opsgenieCall(n, channel.apiUrl), channel.apiKey);
    case 'webhook': {
      const body = JSON.stringify({ version: '1', ...n });
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
