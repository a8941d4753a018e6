// Cases from Alertmanager's documentation (docs/configuration.md, "<route>", "<matcher>")
// and its route tests (dispatch/route_test.go TestRouteMatch); each test names the behaviour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMatcher, matchersString } from './label-matchers.js';
import { compareAlertLabels, labelSetFingerprint, labelSetString } from './label-sets.js';
import {
  buildNotificationPolicy,
  groupLabelsOf,
  matchRoutes,
  NotificationPolicySchema,
  type Route,
} from './route-tree.js';

const M = 60_000;
const receivers = (routes: Route[]) => routes.map((r) => r.receiver);

describe('label matchers', () => {
  it('docs: "=" equals, "!=" does not equal, "=~" matches the regex, "!~" does not', () => {
    const m = (op: '=' | '!=' | '=~' | '!~', value: string) => compileMatcher({ label: 'service', op, value });
    assert.equal(m('=', 'mysql').matches('mysql'), true);
    assert.equal(m('!=', 'mysql').matches('mysql'), false);
    assert.equal(m('=~', 'mysql|cassandra').matches('cassandra'), true);
    assert.equal(m('!~', 'mysql|cassandra').matches('cassandra'), false);
    assert.equal(m('!~', 'mysql|cassandra').matches('redis'), true);
  });

  it('regex matchers are fully anchored, as Alertmanager compiles ^(?:re)$', () => {
    const m = compileMatcher({ label: 'env', op: '=~', value: 'prod' });
    assert.equal(m.matches('prod'), true);
    assert.equal(m.matches('production'), false);
    assert.equal(m.matches('preprod'), false);
    assert.equal(compileMatcher({ label: 'env', op: '=~', value: 'produ.*' }).matches('production'), true);
    assert.equal(
      compileMatcher({ label: 'env', op: '=~', value: 'a|b' }).matches('ab'),
      false,
      'the alternation is inside the anchors',
    );
  });

  it('a label the alert lacks is the empty string (route_test: env="unset" vs missing)', () => {
    assert.equal(compileMatcher({ label: 'team', op: '=', value: '' }).matches(''), true);
    assert.equal(compileMatcher({ label: 'team', op: '=~', value: '.*' }).matches(''), true);
    assert.equal(compileMatcher({ label: 'team', op: '!=', value: '' }).matches(''), false);
  });

  it('prints matchers sorted by name, as in group keys (route_test keys)', () => {
    assert.equal(
      matchersString([
        { label: 'job', op: '=~', value: '.*' },
        { label: 'env', op: '=~', value: 'produ.*' },
      ]),
      '{env=~"produ.*",job=~".*"}',
    );
    assert.equal(matchersString([]), '{}');
  });
});

describe('label sets', () => {
  it("fingerprints equal Alertmanager's (template_test.go: 9266ef3da838ad95, 3b15fd163d36582e, c7e68cb08e3e67f9)", () => {
    assert.equal(labelSetFingerprint({ severity: 'warning', job: 'foo' }), '9266ef3da838ad95');
    assert.equal(labelSetFingerprint({ severity: 'critical', job: 'foo' }), '3b15fd163d36582e');
    assert.equal(labelSetFingerprint({ severity: 'critical', job: 'bar' }), 'c7e68cb08e3e67f9');
  });

  it("orders alerts as Alertmanager's AlertSlice: job, then instance (missing last), then labels", () => {
    const sets: Record<string, string>[] = [
      { job: 'b' },
      { instance: 'i1' },
      { job: 'a', instance: 'i2' },
      { job: 'a', instance: 'i1', x: '1' },
      { job: 'a', instance: 'i1' },
      {},
    ];
    const sorted = sets.sort(compareAlertLabels).map((l) => JSON.stringify(l));
    assert.deepEqual(sorted, [
      '{"job":"a","instance":"i1"}',
      '{"job":"a","instance":"i1","x":"1"}',
      '{"job":"a","instance":"i2"}',
      '{"job":"b"}',
      '{"instance":"i1"}',
      '{}',
    ]);
  });

  it('prints label sets as model.LabelSet does (dispatch_test group keys)', () => {
    assert.equal(
      labelSetString({ service: 'api', alertname: 'TestingAlert' }),
      '{alertname="TestingAlert", service="api"}',
    );
    assert.equal(labelSetString({}), '{}');
  });
});

// The example tree of docs/configuration.md ("<route>" → "Example").
const docsExample = {
  route: {
    receiver: 'default-receiver',
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
    groupBy: ['cluster', 'alertname'],
    routes: [
      {
        receiver: 'database-pager',
        groupWait: '10s',
        matchers: [{ label: 'service', op: '=~', value: 'mysql|cassandra' }],
      },
      {
        receiver: 'frontend-pager',
        groupBy: ['product', 'environment'],
        matchers: [{ label: 'team', op: '=', value: 'frontend' }],
      },
      {
        receiver: 'dev-pager',
        matchers: [{ label: 'service', op: '=', value: 'inhouse-service' }],
        muteTimeIntervals: ['offhours', 'holidays'],
        continue: true,
      },
      {
        receiver: 'on-call-pager',
        matchers: [{ label: 'service', op: '=', value: 'inhouse-service' }],
        activeTimeIntervals: ['offhours', 'holidays'],
      },
    ],
  },
  timeIntervals: [
    { name: 'offhours', timeIntervals: [{ times: [{ startTime: '17:00', endTime: '24:00' }] }] },
    { name: 'holidays', timeIntervals: [{ months: ['december'], daysOfMonth: ['24:26'] }] },
  ],
};

describe('route tree', () => {
  const policy = buildNotificationPolicy(docsExample);

  it('docs example: service=~"mysql|cassandra" goes to the database pager with its own group_wait and the inherited rest', () => {
    const [r, ...rest] = matchRoutes(policy.root, { service: 'cassandra', cluster: 'eu', alertname: 'Down' });
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [r!.receiver, r!.groupWaitMs, r!.groupIntervalMs, r!.repeatIntervalMs],
      ['database-pager', 10_000, 5 * M, 240 * M],
    );
    assert.deepEqual(groupLabelsOf(r!, { service: 'cassandra', cluster: 'eu', alertname: 'Down', instance: 'db-1' }), {
      cluster: 'eu',
      alertname: 'Down',
    });
    assert.equal(r!.key, '{}/{service=~"mysql|cassandra"}');
  });

  it('docs example: team=frontend is grouped by product and environment instead', () => {
    const [r] = matchRoutes(policy.root, { team: 'frontend', product: 'shop', environment: 'prod', cluster: 'eu' });
    assert.equal(r!.receiver, 'frontend-pager');
    assert.deepEqual(groupLabelsOf(r!, { team: 'frontend', product: 'shop', environment: 'prod', cluster: 'eu' }), {
      product: 'shop',
      environment: 'prod',
    });
  });

  it('docs: "If continue is true on a matching node, the alert will continue matching against subsequent siblings"', () => {
    assert.deepEqual(receivers(matchRoutes(policy.root, { service: 'inhouse-service' })), [
      'dev-pager',
      'on-call-pager',
    ]);
  });

  it('docs: "If continue is set to false, it stops after the first matching child"', () => {
    assert.deepEqual(receivers(matchRoutes(policy.root, { service: 'mysql', team: 'frontend' })), ['database-pager']);
  });

  it('docs: "All alerts that do not match the following child routes will remain at the root node"', () => {
    const routes = matchRoutes(policy.root, { service: 'redis', cluster: 'us' });
    assert.deepEqual(receivers(routes), ['default-receiver']);
    assert.equal(routes[0]!.key, '{}');
  });

  it('docs: mute and active time intervals belong to the route that names them (not inherited)', () => {
    const [dev, onCall] = matchRoutes(policy.root, { service: 'inhouse-service' });
    assert.deepEqual([dev!.muteTimeIntervals, dev!.activeTimeIntervals], [['offhours', 'holidays'], []]);
    assert.deepEqual([onCall!.muteTimeIntervals, onCall!.activeTimeIntervals], [[], ['offhours', 'holidays']]);
    const nested = buildNotificationPolicy({
      route: {
        receiver: 'r',
        routes: [
          {
            matchers: [{ label: 'a', op: '=', value: '1' }],
            muteTimeIntervals: ['offhours'],
            routes: [{ matchers: [{ label: 'b', op: '=', value: '2' }] }],
          },
        ],
      },
      timeIntervals: docsExample.timeIntervals,
    });
    assert.deepEqual(matchRoutes(nested.root, { a: '1', b: '2' })[0]!.muteTimeIntervals, []);
  });

  it('route_test TestRouteMatch: nested inheritance, group_by [...], keys with the matcher path', () => {
    const tree = buildNotificationPolicy({
      route: {
        receiver: 'notify-def',
        routes: [
          {
            matchers: [{ label: 'owner', op: '=', value: 'team-A' }],
            receiver: 'notify-A',
            routes: [
              { matchers: [{ label: 'env', op: '=', value: 'testing' }], receiver: 'notify-testing', groupBy: ['...'] },
              {
                matchers: [{ label: 'env', op: '=', value: 'production' }],
                receiver: 'notify-productionA',
                groupWait: '1m',
                continue: true,
              },
              {
                matchers: [
                  { label: 'env', op: '=~', value: 'produ.*' },
                  { label: 'job', op: '=~', value: '.*' },
                ],
                receiver: 'notify-productionB',
                groupWait: '30s',
                groupInterval: '5m',
                repeatInterval: '1h',
                groupBy: ['job'],
              },
            ],
          },
          {
            matchers: [{ label: 'owner', op: '=~', value: 'team-(B|C)' }],
            groupBy: ['foo', 'bar'],
            groupWait: '2m',
            receiver: 'notify-BC',
          },
          {
            matchers: [{ label: 'group_by', op: '=', value: 'role' }],
            groupBy: ['role'],
            routes: [
              {
                matchers: [{ label: 'env', op: '=', value: 'testing' }],
                receiver: 'notify-testing',
                routes: [{ matchers: [{ label: 'wait', op: '=', value: 'long' }], groupWait: '2m' }],
              },
            ],
          },
        ],
      },
    }).root;
    const at = (labels: Record<string, string>) =>
      matchRoutes(tree, labels).map((r) => ({
        receiver: r.receiver,
        key: r.key,
        wait: r.groupWaitMs,
        by: r.groupBy === 'all' ? '...' : [...r.groupBy].join(','),
      }));
    assert.deepEqual(at({ owner: 'team-A' }), [
      { receiver: 'notify-A', key: '{}/{owner="team-A"}', wait: 30_000, by: '' },
    ]);
    assert.deepEqual(at({ owner: 'team-A', env: 'unset' }), [
      { receiver: 'notify-A', key: '{}/{owner="team-A"}', wait: 30_000, by: '' },
    ]);
    assert.deepEqual(at({ owner: 'team-C' }), [
      { receiver: 'notify-BC', key: '{}/{owner=~"team-(B|C)"}', wait: 120_000, by: 'foo,bar' },
    ]);
    assert.deepEqual(at({ owner: 'team-A', env: 'testing' }), [
      { receiver: 'notify-testing', key: '{}/{owner="team-A"}/{env="testing"}', wait: 30_000, by: '...' },
    ]);
    assert.deepEqual(at({ owner: 'team-A', env: 'production' }), [
      { receiver: 'notify-productionA', key: '{}/{owner="team-A"}/{env="production"}', wait: 60_000, by: '' },
      {
        receiver: 'notify-productionB',
        key: '{}/{owner="team-A"}/{env=~"produ.*",job=~".*"}',
        wait: 30_000,
        by: 'job',
      },
    ]);
    assert.deepEqual(at({ group_by: 'role' }), [
      { receiver: 'notify-def', key: '{}/{group_by="role"}', wait: 30_000, by: 'role' },
    ]);
    assert.deepEqual(at({ env: 'testing', group_by: 'role', wait: 'long' }), [
      {
        receiver: 'notify-testing',
        key: '{}/{group_by="role"}/{env="testing"}/{wait="long"}',
        wait: 120_000,
        by: 'role',
      },
    ]);
  });

  it('docs: group_by [...] "effectively disables aggregation entirely"', () => {
    const all = buildNotificationPolicy({ route: { receiver: 'r', groupBy: ['...'] } }).root;
    assert.deepEqual(groupLabelsOf(all, { a: '1', b: '2' }), { a: '1', b: '2' });
  });

  it('validates as Alertmanager does: the root needs a receiver and no matchers or time intervals; time intervals must exist; ... stands alone', () => {
    const issues = (input: unknown) => {
      const r = NotificationPolicySchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    assert.deepEqual(issues({ route: {} }), ['root route must specify a default receiver']);
    assert.deepEqual(issues({ route: { receiver: 'r', matchers: [{ label: 'a', value: 'b' }] } }), [
      'root route must not have any matchers',
    ]);
    assert.deepEqual(
      issues({ route: { receiver: 'r', muteTimeIntervals: ['x'] }, timeIntervals: [{ name: 'x', timeIntervals: [] }] }),
      ['root route must not have any mute time intervals'],
    );
    assert.deepEqual(issues({ route: { receiver: 'r', routes: [{ muteTimeIntervals: ['nope'] }] } }), [
      'undefined time interval "nope" used in route',
    ]);
    assert.deepEqual(issues({ route: { receiver: 'r', groupBy: ['...', 'job'] } }), [
      "'...' must be the only group_by label",
    ]);
    assert.match(
      issues({ route: { receiver: 'r', routes: [{ matchers: [{ label: 'a', op: '=~', value: '(' }] }] } })[0]!,
      /not a valid RE2 regular expression/,
    );
  });
});
