// The Microsoft Teams message: an Adaptive Card 1.4 in a message attachment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertNotification } from '../notify/alert-notification.js';
import type { GroupNotification } from '../routing/alert-aggregator.js';
import { channelRequest } from './channel-messages.js';
import { groupChannelRequest } from './group-messages.js';
import { teamsGroupMessage, teamsMessage } from './teams-message.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const firing: AlertNotification = {
  kind: 'firing',
  ruleId: 'r1',
  ruleName: 'Checkout errors',
  severity: 'warning',
  groupKey: 'g',
  labels: { service: 'checkout', alertname: 'Checkout errors' },
  annotations: { summary: 'checkout fails 12% of requests', runbook: 'https://wiki.test/checkout' },
  value: 0.12,
  startsAt: '2026-11-25T10:00:00.000Z',
  endsAt: null,
  fingerprint: 'f'.repeat(32),
  url: 'https://tf.example.com/alerts?rule=r1',
  excerpt: ['ERROR payment declined', 'ERROR upstream timeout'],
};

function card(m: Record<string, unknown>): any {
  const msg = m as any;
  assert.equal(msg.type, 'message');
  assert.equal(msg.attachments.length, 1);
  assert.equal(msg.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  const c = msg.attachments[0].content;
  assert.deepEqual([c.type, c.version], ['AdaptiveCard', '1.4']);
  return c;
}

function factsOf(el: any): Record<string, string> {
  return Object.fromEntries(el.facts.map((f: any) => [f.title, f.value]));
}

describe('Microsoft Teams messages', () => {
  it('firing: title, summary, state/severity/value facts, labels, annotations, excerpt and a console link', () => {
    const c = card(teamsMessage(firing));
    assert.equal(c.body[0].text, 'FIRING: Checkout errors');
    assert.equal(c.body[0].color, 'Attention');
    assert.equal(c.body[1].text, 'checkout fails 12% of requests');
    assert.deepEqual(factsOf(c.body[2]), {
      State: 'firing',
      Severity: 'warning',
      Value: '0.12',
      Since: '2026-11-25T10:00:00.000Z',
    });
    const sets = c.body.filter((b: any) => b.type === 'FactSet').map(factsOf);
    assert.deepEqual(sets[1], { service: 'checkout', alertname: 'Checkout errors' });
    assert.deepEqual(sets[2], { runbook: 'https://wiki.test/checkout' }, 'annotations besides the summary');
    const excerpt = c.body.find((b: any) => b.fontType === 'Monospace');
    assert.equal(excerpt.text, 'ERROR payment declined\n\nERROR upstream timeout');
    assert.deepEqual(c.actions, [
      { type: 'Action.OpenUrl', title: 'Open in TelemetryFlow', url: 'https://tf.example.com/alerts?rule=r1' },
    ]);
    assert.equal(card(teamsMessage({ ...firing, url: null })).actions, undefined, 'no link without TF_CONSOLE_URL');
  });

  it('resolved: green title and when it resolved; test: the test text', () => {
    const c = card(teamsMessage({ ...firing, kind: 'resolved', endsAt: '2026-11-25T10:05:00.000Z' }));
    assert.deepEqual([c.body[0].text, c.body[0].color], ['RESOLVED: Checkout errors', 'Good']);
    assert.equal(factsOf(c.body[2])['Resolved at'], '2026-11-25T10:05:00.000Z');
    const t = card(teamsMessage({ ...firing, kind: 'test', annotations: { summary: 'A test message' } }));
    assert.deepEqual(
      t.body.map((b: any) => b.text),
      ['TelemetryFlow test notification', 'A test message'],
    );
  });

  it('group: the Alertmanager subject as title, a container per alert, "and N more", the console link', () => {
    const alert = (service: string) => ({
      labels: { alertname: 'ErrorsHigh', service, severity: 'critical' },
      annotations: { summary: `${service} fails` },
      startsAtMs: 0,
      endsAtMs: null,
      value: 0.5,
      status: 'firing' as const,
      fingerprint: service,
    });
    const n: GroupNotification = {
      receiver: 'teams',
      groupKey: '{}:{alertname="ErrorsHigh"}',
      groupLabels: { alertname: 'ErrorsHigh' },
      status: 'firing',
      reason: 'first notification',
      alerts: Array.from({ length: 12 }, (_, i) => alert(`svc-${i}`)),
      atMs: 0,
      truncatedAlerts: 3,
    };
    const c = card(teamsGroupMessage(n, 'https://tf.test'));
    assert.equal(c.body[0].text, '[FIRING:12] ErrorsHigh (critical)');
    const containers = c.body.filter((b: any) => b.type === 'Container');
    assert.equal(containers.length, 10);
    assert.equal(containers[0].items[0].text, '**Firing** (value 0.5): svc-0 fails');
    assert.equal(c.body.at(-1).text, '… and 5 more');
    assert.equal(c.actions[0].url, 'https://tf.test');

    const req = groupChannelRequest(
      { type: 'msteams', name: 't', url: 'https://x.webhook.office.com/webhookb2/abc' },
      { format: 'group', notification: n, externalURL: '' },
      0,
    );
    assert.equal(req.url, 'https://x.webhook.office.com/webhookb2/abc');
    assert.deepEqual(req.headers, { 'content-type': 'application/json' });
    assert.equal(card(JSON.parse(req.body)).actions, undefined);
  });

  it('request: JSON POST to the webhook URL', () => {
    const req = channelRequest({ type: 'msteams', name: 't', url: 'https://x.test/hook' }, firing, 0);
    assert.equal(req.url, 'https://x.test/hook');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body), teamsMessage(firing));
  });
});
