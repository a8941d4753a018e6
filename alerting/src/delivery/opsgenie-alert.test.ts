// Opsgenie Alert API v2 calls: create with an alias, close by that alias.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AlertNotification } from '../notify/alert-notification.js';
import type { GroupNotification } from '../routing/alert-aggregator.js';
import { channelRequest } from './channel-messages.js';
import { groupChannelRequest } from './group-messages.js';
import { opsgenieCall, opsgenieGroupCall, opsgeniePriority } from './opsgenie-alert.js';

const firing: AlertNotification = {
  kind: 'firing',
  ruleId: 'r1',
  ruleName: 'Checkout errors',
  severity: 'critical',
  groupKey: 'g',
  labels: { service: 'checkout', alertname: 'Checkout errors', severity: 'critical' },
  annotations: { summary: 'checkout fails 12% of requests '.repeat(10) },
  value: 0.12,
  startsAt: '2026-11-25T10:00:00.000Z',
  endsAt: null,
  fingerprint: 'f'.repeat(32),
  url: 'https://tf.example.com/alerts?rule=r1',
  excerpt: ['ERROR payment declined'],
};
const channel = { type: 'opsgenie' as const, name: 'og', apiKey: 'k3y-1234', apiUrl: 'https://api.eu.opsgenie.com/' };

describe('Opsgenie alerts', () => {
  it('firing: create at /v2/alerts with GenieKey, a ≤130-character message, the fingerprint as alias', () => {
    const req = channelRequest(channel, firing, 0);
    assert.equal(req.url, 'https://api.eu.opsgenie.com/v2/alerts');
    assert.deepEqual(req.headers, { 'content-type': 'application/json', authorization: 'GenieKey k3y-1234' });
    const b = JSON.parse(req.body);
    assert.equal(b.message.length, 130);
    assert.match(b.message, /^FIRING: Checkout errors: checkout fails/);
    assert.equal(b.alias, firing.fingerprint);
    assert.equal(b.priority, 'P1');
    assert.deepEqual(b.tags, ['telemetryflow', 'severity:critical', 'service:checkout', 'alertname:Checkout errors']);
    assert.deepEqual(b.details, {
      service: 'checkout',
      alertname: 'Checkout errors',
      severity: 'critical',
      value: '0.12',
      startsAt: '2026-11-25T10:00:00.000Z',
      url: firing.url,
    });
    assert.equal(b.entity, 'checkout');
    assert.match(b.description, /Labels:\n {2}service: checkout/);
    assert.match(b.description, /Excerpt:\nERROR payment declined/);
    assert.match(b.description, /Open in TelemetryFlow: https:\/\/tf\.example\.com\/alerts\?rule=r1$/);
  });

  it('resolved: close by alias; test: a P5 alert with its own alias', () => {
    const close = opsgenieCall({ ...firing, kind: 'resolved' }, 'https://api.opsgenie.com');
    assert.equal(close.url, `https://api.opsgenie.com/v2/alerts/${'f'.repeat(32)}/close?identifierType=alias`);
    assert.equal(close.body.source, 'TelemetryFlow');
    const test = opsgenieCall({ ...firing, kind: 'test', labels: {} }, 'https://api.opsgenie.com');
    assert.deepEqual(
      [test.body.alias, test.body.priority, (test.body.message as string).startsWith('TelemetryFlow test')],
      [`telemetryflow-test-${'f'.repeat(32)}`, 'P5', true],
    );
  });

  it("stays within Opsgenie's limits with many long labels", () => {
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`label_${i}`, 'v'.repeat(1000)]));
    const b = opsgenieCall({ ...firing, labels }, 'https://api.opsgenie.com').body;
    const details = Object.entries(b.details as Record<string, string>);
    assert.ok(details.every(([, v]) => v.length <= 500));
    assert.ok(details.reduce((n, [k, v]) => n + k.length + v.length, 0) <= 8000);
    assert.ok((b.description as string).length <= 15_000);
    assert.ok((b.tags as string[]).every((t) => t.length <= 50));
  });

  it('priority: a P1–P5 priority label, else the severity, else P3', () => {
    assert.equal(opsgeniePriority({ priority: 'p2' }, 'info'), 'P2');
    assert.equal(opsgeniePriority({ priority: 'urgent' }, 'info'), 'P5');
    assert.equal(opsgeniePriority({}, 'warning'), 'P3');
    assert.equal(opsgeniePriority({ severity: 'error' }), 'P2');
    assert.equal(opsgeniePriority({ severity: 'whatever' }), 'P3');
  });

  it('group: one alert per group (alias: sha256 of the group key), the highest priority of its alerts; closed with the group', () => {
    const alert = (service: string, severity: string) => ({
      labels: { alertname: 'ErrorsHigh', service, severity },
      annotations: { summary: `${service} fails` },
      startsAtMs: 0,
      endsAtMs: null,
      value: 0.25,
      status: 'firing' as const,
      fingerprint: service,
    });
    const n: GroupNotification = {
      receiver: 'og',
      groupKey: '{}:{alertname="ErrorsHigh"}',
      groupLabels: { alertname: 'ErrorsHigh' },
      status: 'firing',
      reason: 'first notification',
      alerts: [alert('pay-api', 'warning'), alert('pay-db', 'critical')],
      atMs: 0,
    };
    const alias = createHash('sha256').update(n.groupKey).digest('hex');
    const req = groupChannelRequest(channel, { format: 'group', notification: n, externalURL: 'https://tf.test' }, 0);
    assert.equal(req.url, 'https://api.eu.opsgenie.com/v2/alerts');
    assert.equal(req.headers.authorization, 'GenieKey k3y-1234');
    const b = JSON.parse(req.body);
    assert.deepEqual(
      [b.message, b.alias, b.priority, b.details],
      ['[FIRING:2] ErrorsHigh', alias, 'P1', { alertname: 'ErrorsHigh', num_firing: '2' }],
    );
    assert.match(b.description, /^Firing \(value 0\.25\): pay-api fails\n {2}alertname=ErrorsHigh, service=pay-api/);
    assert.match(b.description, /Open in TelemetryFlow: https:\/\/tf\.test$/);
    assert.deepEqual(b.tags, ['telemetryflow', 'alertname:ErrorsHigh']);
    const close = opsgenieGroupCall({ ...n, status: 'resolved' }, '', 'https://api.opsgenie.com');
    assert.equal(close.url, `https://api.opsgenie.com/v2/alerts/${alias}/close?identifierType=alias`);
  });
});
