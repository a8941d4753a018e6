// The body checked field by field against Alertmanager's documented webhook format
// (docs/configuration.md "<webhook_config>") and the values of its template tests
// (template/template_test.go: two alerts of job foo, one firing, one resolved).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertAggregator } from '../routing/alert-aggregator.js';
import { buildNotificationPolicy } from '../routing/route-tree.js';
import { alertmanagerWebhookBody, goTime } from './alertmanager-webhook.js';

const T0 = Date.parse('2024-05-06T10:00:00Z');

function templateTestGroup() {
  const agg = new AlertAggregator(buildNotificationPolicy({ route: { receiver: 'team-x.pager', groupBy: ['job'] } }));
  agg.receive(
    {
      labels: { severity: 'warning', job: 'foo' },
      annotations: { description: 'something happened', runbook: 'foo' },
      startsAtMs: T0,
      endsAtMs: null,
      generatorURL: 'http://tf.example/alerts?rule=r1',
    },
    T0,
  );
  agg.receive(
    {
      labels: { severity: 'critical', job: 'foo' },
      annotations: { description: 'something else happened', runbook: 'foo' },
      startsAtMs: T0,
      endsAtMs: T0 + 12_500,
    },
    T0 + 13_000,
  );
  const [n] = agg.flush(T0 + 30_000);
  return n!;
}

describe('Alertmanager webhook body', () => {
  const body = alertmanagerWebhookBody(templateTestGroup(), 'https://tf.example');

  it('has exactly the documented top-level fields, with their types', () => {
    assert.deepEqual(Object.keys(body).sort(), [
      'alerts',
      'commonAnnotations',
      'commonLabels',
      'externalURL',
      'groupKey',
      'groupLabels',
      'notification_reason',
      'receiver',
      'status',
      'truncatedAlerts',
      'version',
    ]);
    assert.equal(body.version, '4', '"version": "4"');
    assert.equal(body.groupKey, '{}:{job="foo"}', 'key identifying the group of alerts (route key : group labels)');
    assert.equal(body.truncatedAlerts, 0, 'how many alerts have been truncated due to "max_alerts"');
    assert.equal(body.status, 'firing', '"<resolved|firing>": firing while any alert fires');
    assert.equal(body.receiver, 'team-x\\.pager', 'the receiver name, regexp-quoted as Alertmanager sends it');
    assert.deepEqual(body.groupLabels, { job: 'foo' });
    assert.deepEqual(body.commonLabels, { job: 'foo' }, 'template_test: CommonLabels {job: foo}');
    assert.deepEqual(body.commonAnnotations, { runbook: 'foo' }, 'template_test: CommonAnnotations {runbook: foo}');
    assert.equal(body.externalURL, 'https://tf.example', 'backlink');
    assert.equal(body.notification_reason, 'first notification');
  });

  it("each alert has the documented fields; fingerprints equal Alertmanager's for the same labels", () => {
    assert.deepEqual(
      body.alerts.map((a) => a.labels.severity),
      ['critical', 'warning'],
      "in Alertmanager's order (job, instance, then labels)",
    );
    const [resolved, firing] = body.alerts;
    for (const a of body.alerts)
      assert.deepEqual(Object.keys(a).sort(), [
        'annotations',
        'endsAt',
        'fingerprint',
        'generatorURL',
        'labels',
        'startsAt',
        'status',
      ]);
    assert.deepEqual(firing, {
      status: 'firing',
      labels: { severity: 'warning', job: 'foo' },
      annotations: { description: 'something happened', runbook: 'foo' },
      startsAt: '2024-05-06T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://tf.example/alerts?rule=r1',
      fingerprint: '9266ef3da838ad95',
    });
    assert.deepEqual(resolved, {
      status: 'resolved',
      labels: { severity: 'critical', job: 'foo' },
      annotations: { description: 'something else happened', runbook: 'foo' },
      startsAt: '2024-05-06T10:00:00Z',
      endsAt: '2024-05-06T10:00:12.5Z',
      generatorURL: '',
      fingerprint: '3b15fd163d36582e',
    });
  });

  it('times are RFC 3339 as Go marshals them', () => {
    assert.equal(goTime(Date.parse('2024-05-06T10:00:00.000Z')), '2024-05-06T10:00:00Z');
    assert.equal(goTime(Date.parse('2024-05-06T10:00:00.120Z')), '2024-05-06T10:00:00.12Z');
    assert.equal(goTime(Date.parse('2024-05-06T10:00:00.007Z')), '2024-05-06T10:00:00.007Z');
  });

  it('is resolved when every alert is, and a group with nothing in common has empty common maps', () => {
    const agg = new AlertAggregator(buildNotificationPolicy({ route: { receiver: 'r', groupBy: [] } }));
    agg.receive({ labels: { job: 'a' }, annotations: { x: '1' }, startsAtMs: T0, endsAtMs: T0 + 1000 }, T0 + 2000);
    agg.receive({ labels: { job: 'b' }, annotations: { x: '2' }, startsAtMs: T0, endsAtMs: null }, T0 + 2000);
    agg.flush(T0 + 32_000);
    agg.receive({ labels: { job: 'b' }, annotations: { x: '2' }, startsAtMs: T0, endsAtMs: T0 + 40_000 }, T0 + 40_000);
    const [n] = agg.flush(T0 + 332_000);
    const b = alertmanagerWebhookBody(n!, '');
    assert.equal(b.status, 'resolved');
    assert.equal(b.notification_reason, 'all alerts resolved');
    assert.equal(b.groupKey, '{}:{}');
    const first = alertmanagerWebhookBody(
      {
        ...n!,
        alerts: [
          { ...n!.alerts[0]!, labels: { job: 'a' }, annotations: { x: '1' } },
          { ...n!.alerts[0]!, labels: { job: 'b' }, annotations: { x: '2' } },
        ],
      },
      '',
    );
    assert.deepEqual([first.commonLabels, first.commonAnnotations], [{}, {}]);
  });
});
