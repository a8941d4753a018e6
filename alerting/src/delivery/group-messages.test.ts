// What each channel type gets for one group notification of a notification policy.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { GroupNotification } from '../routing/alert-aggregator.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './channel-messages.js';
import {
  channelSendsResolved,
  groupChannelRequest,
  pagerDutyGroupEvent,
  sendsResolved,
  singleAlertGroup,
  slackGroupMessage,
  type GroupPayload,
} from './group-messages.js';

const T0 = Date.parse('2024-05-06T10:00:00Z');

function payload(status: 'firing' | 'resolved' = 'firing'): GroupPayload {
  const alert = (service: string, s: 'firing' | 'resolved', value: number) => ({
    labels: { alertname: 'ErrorsHigh', service, severity: 'critical', team: 'payments' },
    annotations: { summary: `${service} fails` },
    startsAtMs: T0,
    endsAtMs: s === 'resolved' ? T0 + 60_000 : null,
    value,
    status: s,
    fingerprint: service,
    ...(service === 'pay-api' ? { excerpt: ['3× upstream timeout'] } : {}),
  });
  const notification: GroupNotification = {
    receiver: 'pay-hook',
    groupKey: '{}:{team="payments"}',
    groupLabels: { team: 'payments' },
    status,
    reason: status === 'firing' ? 'first notification' : 'all alerts resolved',
    alerts:
      status === 'firing'
        ? [alert('pay-api', 'firing', 0.25), alert('pay-db', 'firing', 0.5)]
        : [alert('pay-api', 'resolved', 0)],
    atMs: T0 + 30_000,
  };
  return { format: 'group', notification, externalURL: 'https://tf.test' };
}

describe('group notifications per channel', () => {
  it('webhook: the Alertmanager body, signed like every TelemetryFlow webhook', () => {
    const req = groupChannelRequest(
      { type: 'webhook', name: 'h', url: 'https://hooks.test/x', secret: 'a-very-secret-signing-key' },
      payload(),
      T0,
    );
    const body = JSON.parse(req.body);
    assert.deepEqual(
      [body.version, body.groupKey, body.status, body.receiver, body.alerts.length],
      ['4', '{}:{team="payments"}', 'firing', 'pay-hook', 2],
    );
    assert.deepEqual(body.alerts[0].excerpt, ['3× upstream timeout']);
    assert.equal(body.alerts[1].excerpt, undefined);
    assert.equal(req.headers[TIMESTAMP_HEADER], String(T0 / 1000));
    assert.equal(req.headers[SIGNATURE_HEADER], webhookSignature('a-very-secret-signing-key', T0 / 1000, req.body));
  });

  it('Slack: one message for the group, the subject as fallback text, a section per alert with its excerpt', () => {
    const m = slackGroupMessage(payload()) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    assert.equal(m.text, '[FIRING:2] payments (ErrorsHigh critical)');
    const sections = m.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    assert.equal(sections.length, 2);
    assert.match(
      sections[0]!,
      /^\*Firing\* \(value 0\.25\): pay-api fails\n.*service=pay-api.*\n```3× upstream timeout```$/,
    );
  });

  it('PagerDuty: one incident per group (dedup key: sha256 of the group key), resolved with the group', () => {
    const dedup = createHash('sha256').update('{}:{team="payments"}').digest('hex');
    const trigger = pagerDutyGroupEvent(payload(), 'k'.repeat(32)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(
      [trigger.event_action, trigger.dedup_key, trigger.payload.severity, trigger.payload.summary],
      ['trigger', dedup, 'critical', '[FIRING:2] payments (ErrorsHigh critical)'],
    );
    assert.equal(trigger.payload.custom_details.num_firing, 2);
    assert.deepEqual(pagerDutyGroupEvent(payload('resolved'), 'k'.repeat(32)), {
      routing_key: 'k'.repeat(32),
      event_action: 'resolve',
      dedup_key: dedup,
    });
  });

  it("send_resolved as Alertmanager's integrations default it; a rule's own notification as a group of one", () => {
    assert.deepEqual((['webhook', 'pagerduty', 'slack', 'email', 'msteams', 'opsgenie'] as const).map(sendsResolved), [
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    assert.equal(channelSendsResolved({ type: 'email', config: { to: ['a@b.test'], sendResolved: true } }), true);
    assert.equal(channelSendsResolved({ type: 'webhook', config: { sendResolved: false } }), false);
    assert.equal(channelSendsResolved({ type: 'slack', config: { url: 'https://hooks.slack.test/x' } }), false);
    const g = singleAlertGroup({
      kind: 'resolved',
      ruleId: 'r',
      ruleName: 'ErrorsHigh',
      severity: 'critical',
      groupKey: 'service=pay-api',
      labels: { alertname: 'ErrorsHigh', service: 'pay-api' },
      annotations: {},
      value: 0,
      startsAt: '2024-05-06T10:00:00.000Z',
      endsAt: '2024-05-06T10:01:00.000Z',
      fingerprint: 'f',
      url: null,
      excerpt: ['x'],
    });
    assert.deepEqual(
      [g.status, g.groupLabels, g.alerts[0]!.status, g.alerts[0]!.endsAtMs, g.alerts[0]!.excerpt],
      ['resolved', { alertname: 'ErrorsHigh' }, 'resolved', T0 + 60_000, ['x']],
    );
  });
});
