import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AlertNotification } from '../notify/alert-notification.js';
import { channelRequest, pagerDutyEvent, slackMessage, webhookSignature } from './channel-messages.js';

const firing: AlertNotification = {
  kind: 'firing',
  ruleId: 'r1',
  ruleName: 'Checkout errors',
  severity: 'warning',
  groupKey: 'g',
  labels: { service: 'checkout', alertname: 'Checkout errors' },
  annotations: { summary: 'checkout fails 12% of requests' },
  value: 0.12,
  startsAt: '2026-11-25T10:00:00.000Z',
  endsAt: null,
  fingerprint: 'f'.repeat(32),
  url: 'https://tf.example.com/alerts?rule=r1',
};

describe('channel messages', () => {
  it('Slack: Block Kit with a header, severity and value fields, a console link and a text fallback', () => {
    const m = slackMessage(firing) as {
      text: string;
      blocks: { type: string; fields?: { text: string }[]; elements?: { url: string }[] }[];
    };
    assert.equal(m.text, 'FIRING: Checkout errors — checkout fails 12% of requests');
    assert.deepEqual(
      m.blocks.map((b) => b.type),
      ['header', 'section', 'section', 'actions'],
    );
    assert.match(m.blocks[2]!.fields!.map((f) => f.text).join('\n'), /\*Severity\*\nwarning[\s\S]*\*Value\*\n0\.12/);
    assert.equal(m.blocks[3]!.elements![0]!.url, firing.url);
    assert.equal(
      (slackMessage({ ...firing, url: null }) as { blocks: unknown[] }).blocks.length,
      3,
      'no link without TF_CONSOLE_URL',
    );
  });

  it('PagerDuty: trigger with summary, source, severity; resolve with only the same dedup key', () => {
    const trigger = pagerDutyEvent(firing, 'KEY') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(trigger.event_action, 'trigger');
    assert.equal(trigger.dedup_key, firing.fingerprint);
    assert.deepEqual([trigger.payload.source, trigger.payload.severity], ['checkout', 'warning']);
    assert.match(trigger.payload.summary, /^FIRING: Checkout errors: checkout fails/);
    assert.deepEqual(pagerDutyEvent({ ...firing, kind: 'resolved' }, 'KEY'), {
      routing_key: 'KEY',
      event_action: 'resolve',
      dedup_key: firing.fingerprint,
    });
  });

  it('webhook: the body is the notification, signed over timestamp and body', () => {
    const req = channelRequest(
      { type: 'webhook', name: 'w', url: 'https://hooks.example.com/x', secret: 's3cret-s3cret-s3cret' },
      firing,
      1_764_000_000_123,
    );
    assert.equal(req.headers['x-telemetryflow-timestamp'], '1764000000');
    assert.equal(
      req.headers['x-telemetryflow-signature'],
      `v1=${createHmac('sha256', 's3cret-s3cret-s3cret').update(`1764000000.${req.body}`).digest('hex')}`,
    );
    assert.deepEqual(JSON.parse(req.body), { version: '1', ...firing });
    assert.notEqual(webhookSignature('a', 1, 'body'), webhookSignature('a', 2, 'body'), 'the timestamp is signed');
  });
});
