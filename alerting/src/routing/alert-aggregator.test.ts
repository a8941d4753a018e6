// Grouping, timing, muting and silencing on a fake clock, checked against Alertmanager's
// documentation (docs/configuration.md "<route>", "<time_interval>", docs/alertmanager.md
// "Grouping" and "Silences") and its dispatcher tests (dispatch/dispatch_test.go
// TestAggrGroup); each test quotes the behaviour it checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlertAggregator,
  type AggregatorSnapshot,
  type GroupNotification,
  type IncomingAlert,
} from './alert-aggregator.js';
import { buildNotificationPolicy, type NotificationPolicyInput, type RouteConfig } from './route-tree.js';
import { compileSilence, type CompiledSilence } from './silence-matching.js';

const S = 1000;
const M = 60 * S;
const T0 = Date.parse('2024-05-06T10:00:00Z'); // a Monday, 10:00 UTC

const basic: NotificationPolicyInput = {
  route: { receiver: 'team', groupBy: ['alertname'], groupWait: '30s', groupInterval: '5m', repeatInterval: '1h' },
};

function firing(labels: Record<string, string>, startsAtMs = T0): IncomingAlert {
  return { labels, annotations: { summary: `${labels.alertname} on ${labels.instance}` }, startsAtMs, endsAtMs: null };
}
function resolvedAt(a: IncomingAlert, endsAtMs: number): IncomingAlert {
  return { ...a, endsAtMs };
}

/** An aggregator on a fake clock: `flushAt(t)` flushes at T0 + t and returns what was notified. */
function harness(
  policy: NotificationPolicyInput,
  opts: { silences?: CompiledSilence[]; sendsResolved?: boolean; maxGroups?: number } = {},
) {
  const agg = new AlertAggregator(buildNotificationPolicy(policy), {
    silences: () => opts.silences ?? [],
    sendsResolved: () => opts.sendsResolved ?? true,
    maxGroups: opts.maxGroups,
  });
  const summary = (n: GroupNotification) => ({
    receiver: n.receiver,
    status: n.status,
    reason: n.reason,
    at: (n.atMs - T0) / S,
    alerts: n.alerts.map((a) => `${a.labels.instance ?? a.labels.alertname}:${a.status}`),
  });
  return {
    agg,
    receive: (a: IncomingAlert, atMs: number) => agg.receive(a, T0 + atMs),
    flushAt: (atMs: number) => agg.flush(T0 + atMs).map(summary),
    /** Flushes at every due time up to `untilMs`, as a loop sleeping until nextFlushMs would. */
    runUntil(untilMs: number) {
      const out: ReturnType<typeof summary>[] = [];
      for (let next = agg.nextFlushMs(); next !== null && next <= T0 + untilMs; next = agg.nextFlushMs())
        out.push(...agg.flush(next).map(summary));
      return out;
    },
  };
}

describe('alert aggregation', () => {
  it('group_wait: "How long to wait before sending the first notification for a new group"; one notification per group', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Down', instance: 'a' }), 0);
    h.receive(firing({ alertname: 'Down', instance: 'b' }), 10 * S);
    assert.deepEqual(h.flushAt(29 * S), []);
    const [n, ...more] = h.agg.flush(T0 + 30 * S);
    assert.equal(more.length, 0);
    assert.deepEqual(
      [n!.receiver, n!.groupKey, n!.reason, n!.status],
      ['team', '{}:{alertname="Down"}', 'first notification', 'firing'],
    );
    assert.deepEqual(n!.groupLabels, { alertname: 'Down' });
    assert.deepEqual(
      n!.alerts.map((a) => a.labels.instance),
      ['a', 'b'],
    );
  });

  it('group_interval: alerts added after the first notification are sent at the next group_interval, not before', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Down', instance: 'a' }), 0);
    assert.equal(h.flushAt(30 * S).length, 1);
    h.receive(firing({ alertname: 'Down', instance: 'c' }, T0 + 60 * S), 60 * S);
    assert.deepEqual(h.flushAt(329 * S), [], 'not before 30 s + 5 m');
    assert.deepEqual(h.flushAt(330 * S), [
      { receiver: 'team', status: 'firing', reason: 'new alerts added', at: 330, alerts: ['a:firing', 'c:firing'] },
    ]);
  });

  it('repeat_interval: "How long to wait before repeating the last notification", checked at each group_interval', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Down', instance: 'a' }), 0);
    const sent = h.runUntil(3 * 60 * M);
    assert.deepEqual(
      sent.map((n) => [n.at, n.reason]),
      [
        [30, 'first notification'],
        [3630, 'repeat interval elapsed'],
        [7230, 'repeat interval elapsed'],
      ],
    );
  });

  it('"If an alert is resolved before group_wait has elapsed, no notification will be sent for that alert"', () => {
    const h = harness(basic);
    const a = firing({ alertname: 'Flap', instance: 'a' });
    h.receive(a, 0);
    h.receive(resolvedAt(a, T0 + 10 * S), 10 * S);
    assert.deepEqual(h.flushAt(30 * S), []);
    assert.equal(h.agg.groupCount, 0, 'the emptied group is gone');
  });

  it('resolved alerts are sent at the next group_interval; the group is dropped once all are resolved and told', () => {
    const h = harness(basic);
    const a = firing({ alertname: 'Down', instance: 'a' });
    const b = firing({ alertname: 'Down', instance: 'b' });
    h.receive(a, 0);
    h.receive(b, 0);
    h.flushAt(30 * S);
    h.receive(resolvedAt(a, T0 + 100 * S), 100 * S);
    assert.deepEqual(h.flushAt(330 * S), [
      {
        receiver: 'team',
        status: 'firing',
        reason: 'some alerts resolved',
        at: 330,
        alerts: ['a:resolved', 'b:firing'],
      },
    ]);
    h.receive(resolvedAt(b, T0 + 400 * S), 400 * S);
    assert.deepEqual(h.flushAt(630 * S), [
      { receiver: 'team', status: 'resolved', reason: 'all alerts resolved', at: 630, alerts: ['b:resolved'] },
    ]);
    assert.equal(h.agg.groupCount, 0);
  });

  it('send_resolved false: resolved alerts are not sent, and a later firing of the group is a first notification again', () => {
    const h = harness(basic, { sendsResolved: false });
    const a = firing({ alertname: 'Down', instance: 'a' });
    h.receive(a, 0);
    h.flushAt(30 * S);
    h.receive(resolvedAt(a, T0 + 60 * S), 60 * S);
    assert.deepEqual(h.flushAt(330 * S), []);
    h.receive(firing({ alertname: 'Down', instance: 'a' }, T0 + 400 * S), 400 * S);
    assert.deepEqual(
      h.flushAt(430 * S).map((n) => n.reason),
      ['first notification'],
      'after group_wait of the new group',
    );
  });

  it('"Alert is old enough for immediate flush": a first alert older than group_wait is sent at once', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Old', instance: 'a' }, T0 - 10 * M), 0);
    assert.deepEqual(
      h.flushAt(0).map((n) => n.reason),
      ['first notification'],
    );
  });

  it('group_by: "multiple alerts coming in for cluster=A and alertname=LatencyHigh would be batched into a single group"', () => {
    const h = harness({ route: { receiver: 'team', groupBy: ['cluster', 'alertname'] } });
    h.receive(firing({ alertname: 'LatencyHigh', cluster: 'A', instance: 'i1' }), 0);
    h.receive(firing({ alertname: 'LatencyHigh', cluster: 'A', instance: 'i2' }), 0);
    h.receive(firing({ alertname: 'LatencyHigh', cluster: 'B', instance: 'i3' }), 0);
    const sent = h.flushAt(30 * S);
    assert.deepEqual(sent.map((n) => n.alerts).sort(), [['i1:firing', 'i2:firing'], ['i3:firing']]);
  });

  it("group_by ['...']: every alert is its own group", () => {
    const h = harness({ route: { receiver: 'team', groupBy: ['...'] } });
    for (const i of ['i1', 'i2', 'i3']) h.receive(firing({ alertname: 'LatencyHigh', instance: i }), 0);
    assert.equal(h.flushAt(30 * S).length, 3);
  });

  it('continue: the alert is notified on both matching routes, each with its own group key', () => {
    const h = harness({
      route: {
        receiver: 'default',
        groupBy: ['alertname'],
        routes: [
          {
            receiver: 'dev-pager',
            matchers: [{ label: 'service', op: '=', value: 'inhouse-service' }],
            continue: true,
          },
          { receiver: 'on-call-pager', matchers: [{ label: 'service', op: '=~', value: 'inhouse-.*' }] },
        ],
      },
    });
    assert.equal(h.receive(firing({ alertname: 'Down', service: 'inhouse-service' }), 0), 2);
    const sent = h.agg.flush(T0 + 30 * S);
    assert.deepEqual(
      sent.map((n) => [n.receiver, n.groupKey]),
      [
        ['dev-pager', '{}/{service="inhouse-service"}:{alertname="Down"}'],
        ['on-call-pager', '{}/{service=~"inhouse-.*"}:{alertname="Down"}'],
      ],
    );
  });

  it('mute_time_intervals: "When a route is muted it will not send any notifications, but otherwise acts normally"; active_time_intervals: "The route will send notifications only when active"', () => {
    const policy: NotificationPolicyInput = {
      route: {
        receiver: 'default',
        groupBy: ['alertname'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        routes: [
          {
            receiver: 'dev-pager',
            matchers: [{ label: 'service', op: '=', value: 'inhouse-service' }],
            muteTimeIntervals: ['offhours'],
            continue: true,
          },
          {
            receiver: 'on-call-pager',
            matchers: [{ label: 'service', op: '=', value: 'inhouse-service' }],
            activeTimeIntervals: ['offhours'],
          },
        ],
      },
      timeIntervals: [{ name: 'offhours', timeIntervals: [{ times: [{ startTime: '17:00', endTime: '24:00' }] }] }],
    };
    const h = harness(policy);
    const evening = 7 * 60 * M; // 17:00 UTC
    h.receive(firing({ alertname: 'Down', service: 'inhouse-service' }, T0 + evening), evening);
    assert.deepEqual(
      h.flushAt(evening + 30 * S).map((n) => n.receiver),
      ['on-call-pager'],
      'off hours: dev-pager muted, on-call active',
    );
    const sent = h.runUntil(14 * 60 * M + 30 * S); // into the next morning (00:30)
    assert.deepEqual(
      sent.map((n) => [n.receiver, n.reason, n.at / 3600]),
      [
        ['on-call-pager', 'repeat interval elapsed', 11 + 30 / 3600],
        ['dev-pager', 'first notification', 14 + 30 / 3600],
      ],
      'on-call repeats at 21:00:30 while active; at midnight the mute ends and dev-pager gets its first notification, on-call is inactive from then on',
    );
  });

  it('silences: "Incoming alerts are checked whether they match all the equality or regular expression matchers of an active silence"', () => {
    const silence = (
      id: string,
      matchers: { label: string; op: '=' | '!=' | '=~' | '!~'; value: string }[],
      endsAtMs = T0 + 20 * M,
    ) => compileSilence({ id, matchers, startsAtMs: T0, endsAtMs });
    const silences: CompiledSilence[] = [];
    const h = harness(basic, { silences });
    for (const i of ['a', 'b', 'c']) h.receive(firing({ alertname: 'Down', instance: i, env: 'prod' }), 0);

    silences.push(
      silence('s1', [
        { label: 'instance', op: '=~', value: 'a|b' },
        { label: 'env', op: '=', value: 'prod' },
      ]),
    );
    assert.deepEqual(
      h.flushAt(30 * S).map((n) => n.alerts),
      [['c:firing']],
      '=~ silences a and b',
    );

    silences.splice(
      0,
      1,
      silence('s2', [
        { label: 'instance', op: '!~', value: 'c' },
        { label: 'env', op: '!=', value: 'dev' },
      ]),
    );
    h.receive(firing({ alertname: 'Down', instance: 'd', env: 'prod' }), 60 * S);
    assert.deepEqual(h.flushAt(330 * S), [], '!~ and != silence the new d, nothing new for the receiver');

    silences.splice(0, 1, silence('s3', [{ label: 'alertname', op: '=', value: 'Down' }], T0 + 630 * S));
    assert.deepEqual(h.flushAt(630 * S), [], 'a silence is active up to and including its end');
    assert.deepEqual(
      h.flushAt(930 * S).map((n) => [n.reason, n.alerts.length]),
      [['new alerts added', 4]],
      'once it expired, the alerts it hid are new to the receiver',
    );
  });

  it('bounds the number of groups', () => {
    const h = harness({ route: { receiver: 'team', groupBy: ['...'] } }, { maxGroups: 2 });
    assert.deepEqual(
      [1, 2, 3].map((i) => h.receive(firing({ alertname: 'X', instance: `i${i}` }), 0)),
      [1, 1, 0],
    );
    assert.equal(h.agg.groupCount, 2);
  });

  it('its state survives a JSON round trip into a new aggregator (another replica): timers and the notification log go on', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Down', instance: 'a' }), 0);
    assert.equal(h.flushAt(30 * S).length, 1);
    const stored = JSON.parse(JSON.stringify(h.agg.snapshot(T0 + 30 * S))) as AggregatorSnapshot;
    const next = new AlertAggregator(buildNotificationPolicy(basic));
    next.restore(stored);
    assert.equal(next.groupCount, 1);
    next.receive(firing({ alertname: 'Down', instance: 'a' }), T0 + 60 * S);
    assert.deepEqual(next.flush(T0 + 329 * S), [], 'the group_interval runs from the first flush');
    assert.deepEqual(next.flush(T0 + 330 * S), [], 'nothing new: no notification before repeat_interval');
    next.receive(firing({ alertname: 'Down', instance: 'b' }), T0 + 400 * S);
    assert.deepEqual(
      next.flush(T0 + 630 * S).map((n) => [n.reason, n.alerts.length]),
      [['new alerts added', 2]],
    );
  });

  it('a restored group whose route left the policy is dropped; log entries older than twice the repeat interval are not kept', () => {
    const h = harness(basic);
    h.receive(firing({ alertname: 'Down', instance: 'a' }), 0);
    h.flushAt(30 * S);
    const changed = new AlertAggregator(
      buildNotificationPolicy({
        route: {
          ...(basic.route as RouteConfig),
          routes: [{ receiver: 'db', matchers: [{ label: 'service', op: '=', value: 'db' }] }],
        },
      }),
    );
    changed.restore(h.agg.snapshot(T0 + 30 * S));
    assert.equal(changed.groupCount, 0, 'the root is another node now (its index changed)');
    assert.equal(h.agg.snapshot(T0 + 30 * S).notified.length, 1);
    assert.equal(h.agg.snapshot(T0 + 30 * S + 2 * 60 * M + 1).notified.length, 0);
  });
});
