import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertmanagerWebhookBody } from '../delivery/alertmanager-webhook.js';
import type { GroupPayload } from '../delivery/group-messages.js';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { MAX_ALERTS_PER_MESSAGE, queueGroupNotifications } from './notification-router.js';

const alert = (i: number, status: 'firing' | 'resolved'): NotifiedAlert => ({
  labels: { alertname: 'Down', instance: `i${i}` },
  annotations: {},
  startsAtMs: 0,
  endsAtMs: status === 'resolved' ? 1 : null,
  status,
  fingerprint: String(i),
  source: { ruleId: 'r', groupKey: `instance=i${i}` },
});

function group(alerts: NotifiedAlert[], receiver = 'team'): GroupNotification {
  return {
    receiver,
    groupKey: '{}:{alertname="Down"}',
    groupLabels: { alertname: 'Down' },
    status: 'firing',
    reason: 'first notification',
    alerts,
    atMs: 0,
  };
}

describe('queueGroupNotifications', () => {
  it('one outbox row per group for the channel the receiver names (by name or id); history per alert', () => {
    const channels = [{ id: '6f1c0c52-0000-4000-8000-000000000001', name: 'team' }];
    const byName = queueGroupNotifications([group([alert(1, 'firing')])], channels, 'https://tf.test');
    const byId = queueGroupNotifications([group([alert(1, 'firing')], channels[0]!.id)], channels, '');
    for (const q of [byName, byId]) {
      assert.deepEqual(
        q.queued.map((r) => [r.channelId, r.kind, r.groupKey]),
        [[channels[0]!.id, 'firing', '{}:{alertname="Down"}']],
      );
      assert.deepEqual(
        q.history.map((h) => [h.groupKey, h.outcome]),
        [['instance=i1', 'queued']],
      );
    }
    const missing = queueGroupNotifications([group([alert(1, 'firing')], 'gone')], channels, '');
    assert.deepEqual(missing.queued, []);
    assert.equal(missing.history[0]!.outcome, 'no channel');
  });

  it(`lists at most ${MAX_ALERTS_PER_MESSAGE} alerts, firing ones first, and counts the rest as truncatedAlerts`, () => {
    const alerts = [
      ...Array.from({ length: 100 }, (_, i) => alert(i, 'resolved')),
      ...Array.from({ length: 150 }, (_, i) => alert(100 + i, 'firing')),
    ];
    const { queued, history } = queueGroupNotifications([group(alerts)], [{ id: 'c', name: 'team' }], '');
    const n = (queued[0]!.payload as GroupPayload).notification;
    assert.equal(n.alerts.length, MAX_ALERTS_PER_MESSAGE);
    assert.equal(n.alerts.filter((a) => a.status === 'firing').length, 150);
    assert.equal(alertmanagerWebhookBody(n, '').truncatedAlerts, 50);
    assert.equal(history.length, 250, 'the history still names every alert');
  });
});
