import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClickHouse } from '@telemetryflow/clickhouse';
import { Registry } from 'prom-client';
import {
  AlertHistory,
  AlertStateStore,
  ClickHouseConditionReader,
  createAlertingMetrics,
  RuleScheduler,
} from '@telemetryflow/alerting';
import { call, createQueryReads, insertSpans, startAlertingStores, type AlertingStores, type Json } from './stores.js';

let s: AlertingStores;
let history: AlertHistory;

function scheduler(replicaId: string, leaseMs = 60_000): RuleScheduler {
  return new RuleScheduler({
    dataSource: s.cp.dataSource,
    reader: new ClickHouseConditionReader(s.ch, s.reads),
    history,
    replicaId,
    leaseMs,
  });
}

async function createRule(body: Record<string, unknown>): Promise<string> {
  const res = await call(s.api.url, '/api/v1/alert-rules', { key: s.key, method: 'POST', body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data.id as string;
}

/** Makes every rule due now (the scheduler's clock is the database's). */
async function makeDue(): Promise<void> {
  await s.cp.dataSource.query('UPDATE alert_rule_leases SET due_at = now()');
}

before(async () => {
  s = await startAlertingStores('tf-alert-scheduler-');
  history = new AlertHistory(s.ch, s.reads);
});
after(async () => {
  await s.close();
});

describe('rule scheduler', () => {
  it('fires per group, lists the alerts, records transitions, and resolves', async () => {
    const now = Date.now();
    await insertSpans(s.ch, { service: 'checkout', atMs: now - 60_000, n: 20, errors: 10 });
    await insertSpans(s.ch, { service: 'cart', atMs: now - 60_000, n: 20, errors: 0 });
    const ruleId = await createRule({
      name: 'error rate',
      for: '0s',
      groupBy: ['service'],
      severity: 'critical',
      condition: { kind: 'span', measure: 'error_rate', window: '5m', threshold: { op: 'above', value: 0.1 } },
      annotations: { summary: '{{ $labels.service }} at {{ $value }}' },
    });
    assert.equal(await scheduler('a').tick(), 1);
    const alerts = (await call(s.api.url, '/api/v1/alerts', { key: s.readKey })).body.data as Json[];
    assert.deepEqual(
      alerts.map((a) => [a.labels.service, a.state]),
      [['checkout', 'firing']],
    );
    assert.equal(alerts[0].value, 0.5);
    assert.equal(alerts[0].annotations.summary, 'checkout at 0.5');
    assert.equal(alerts[0].severity, 'critical');
    const inactive = (await call(s.api.url, '/api/v1/alerts?state=inactive', { key: s.readKey })).body.data as Json[];
    assert.deepEqual(
      inactive.map((a) => a.labels.service),
      ['cart'],
    );
    assert.equal(await scheduler('a').tick(), 0, 'not due again before its interval');

    // Recovery: a rule changed to a higher threshold is due at once and resolves.
    const rule = (await call(s.api.url, `/api/v1/alert-rules/${ruleId}`, { key: s.key })).body.data;
    const { id: _id, createdAt: _c, updatedAt: _u, ...input } = rule;
    await call(s.api.url, `/api/v1/alert-rules/${ruleId}`, {
      key: s.key,
      method: 'PUT',
      body: { ...input, condition: { ...input.condition, threshold: { op: 'above', value: 0.9 } } },
    });
    assert.equal(await scheduler('a').tick(), 1);
    const resolved = (await call(s.api.url, `/api/v1/alerts?ruleId=${ruleId}`, { key: s.readKey })).body.data as Json[];
    assert.deepEqual(
      resolved.map((a) => a.state),
      ['resolved'],
    );

    const h = await call(s.api.url, `/api/v1/alerts/history?ruleId=${ruleId}&event=transition`, { key: s.readKey });
    assert.equal(h.status, 200);
    assert.deepEqual(
      h.body.data.map((e: Json) => `${e.labels.service}:${e.fromState}>${e.toState}`),
      ['checkout:firing>resolved', 'checkout:inactive>firing'],
    );
    const evaluations = await call(s.api.url, `/api/v1/alerts/history?ruleId=${ruleId}&event=evaluation`, {
      key: s.readKey,
    });
    assert.equal(evaluations.body.data.length, 2);
    assert.deepEqual(
      (await call(s.api.url, '/api/v1/alerts/history', { key: s.betaKey })).body.data,
      [],
      'another tenant sees none of it',
    );
    await call(s.api.url, `/api/v1/alert-rules/${ruleId}`, { key: s.key, method: 'DELETE' });
  });

  it('threshold rules on a query DTO run through the QueryRunner, grouped by the query', async () => {
    const now = Date.now();
    await insertSpans(s.ch, { service: 'search', atMs: now - 30_000, n: 12 });
    await insertSpans(s.ch, { service: 'browse', atMs: now - 30_000, n: 2 });
    const ruleId = await createRule({
      name: 'busy services',
      for: '0s',
      annotations: { summary: '{{ $labels.service }}: {{ $value }} spans' },
      condition: {
        kind: 'metric_threshold',
        window: '5m',
        threshold: { op: 'above', value: 10 },
        query: {
          signal: 'spans',
          measure: 'count',
          filters: [{ label: 'service', op: 'in', value: ['search', 'browse'] }],
          groupBy: ['service'],
        },
      },
    });
    const grouped = await call(s.api.url, '/api/v1/alert-rules', {
      key: s.key,
      method: 'POST',
      body: {
        name: 'x',
        groupBy: ['service'],
        condition: {
          kind: 'metric_threshold',
          query: { signal: 'spans', measure: 'count' },
          threshold: { op: 'above', value: 1 },
        },
      },
    });
    assert.equal(grouped.status, 400, 'the query groups, not the rule');
    await scheduler('a').tick();
    const alerts = (await call(s.api.url, `/api/v1/alerts?ruleId=${ruleId}`, { key: s.readKey })).body.data as Json[];
    assert.deepEqual(
      alerts.map((a) => [a.labels.service, a.state, a.annotations.summary]),
      [['search', 'firing', 'search: 12 spans']],
    );
    await call(s.api.url, `/api/v1/alert-rules/${ruleId}`, { key: s.key, method: 'DELETE' });
  });

  it('a rule stored with a window past the query limits fails its evaluation with the reason, reading nothing', async () => {
    const id = await createRule({
      name: 'a decade',
      for: '0s',
      condition: { kind: 'log_count', service: 'old', window: '30d', threshold: { op: 'below', value: 1 } },
    });
    // As a rule written before the limit applied would be.
    await s.cp.dataSource.query(
      `UPDATE alert_rules SET spec = jsonb_set(spec, '{condition,window}', '"3650d"') WHERE id = $1`,
      [id],
    );
    await makeDue();
    assert.equal(await scheduler('a').tick(), 1);
    const evaluations = (
      await call(s.api.url, `/api/v1/alerts/history?ruleId=${id}&event=evaluation`, { key: s.readKey })
    ).body.data as Json[];
    assert.deepEqual(
      evaluations.map((e) => e.outcome),
      ['error'],
    );
    assert.match(evaluations[0].message, /^condition\.window: at most 31d \(maxSearchRangeDays\)/);
    assert.deepEqual(
      (await call(s.api.url, `/api/v1/alerts?ruleId=${id}`, { key: s.readKey })).body.data,
      [],
      'no alert from a read that did not happen',
    );
    await call(s.api.url, `/api/v1/alert-rules/${id}`, { key: s.key, method: 'DELETE' });
  });

  it('a condition the store cannot answer is an evaluation error saying so, with the socket error only in the log', async () => {
    const id = await createRule({
      name: 'store down',
      for: '0s',
      condition: { kind: 'log_count', service: 'x', window: '5m', threshold: { op: 'above', value: 1 } },
    });
    const gone = await createClickHouse({ url: 'http://127.0.0.1:9', dataDir: '', requestTimeoutMs: 5000 }); // nothing listens on port 9
    const log: string[] = [];
    const failing = new RuleScheduler({
      dataSource: s.cp.dataSource,
      reader: new ClickHouseConditionReader(gone, createQueryReads(gone)),
      history,
      replicaId: 'a',
      log: (m) => log.push(m),
    });
    try {
      await makeDue();
      assert.equal(await failing.tick(), 1);
    } finally {
      await gone.close();
    }
    const evaluations = (
      await call(s.api.url, `/api/v1/alerts/history?ruleId=${id}&event=evaluation`, { key: s.readKey })
    ).body.data as Json[];
    assert.deepEqual(
      evaluations.map((e) => [e.outcome, e.message]),
      [['error', 'the condition could not be read: the telemetry store failed or is unavailable']],
    );
    assert.match(log.join('\n'), /ECONNREFUSED/);
    await call(s.api.url, `/api/v1/alert-rules/${id}`, { key: s.key, method: 'DELETE' });
  });

  it('two replicas evaluate each due rule once', async () => {
    const ids = await Promise.all(
      ['one', 'two', 'three', 'four'].map((name) =>
        createRule({
          name: `absent ${name}`,
          for: '0s',
          condition: { kind: 'absence', signal: 'logs', service: `svc-${name}`, window: '5m' },
        }),
      ),
    );
    const [a, b] = [scheduler('replica-a'), scheduler('replica-b')];
    const counts = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    assert.equal(
      counts.reduce((x, y) => x + y, 0),
      4,
      `each rule once: ${counts.join(',')}`,
    );
    for (const id of ids) {
      const evals = await call(s.api.url, `/api/v1/alerts/history?ruleId=${id}&event=evaluation`, { key: s.readKey });
      assert.equal(evals.body.data.length, 1);
      const firing = await call(s.api.url, `/api/v1/alerts?ruleId=${id}`, { key: s.readKey });
      assert.deepEqual(
        firing.body.data.map((x: Json) => x.state),
        ['firing'],
      );
    }
    for (const id of ids) await call(s.api.url, `/api/v1/alert-rules/${id}`, { key: s.key, method: 'DELETE' });
  });

  it('a replica that dies holding a lease is taken over when the lease runs out, and its late results are dropped', async () => {
    const id = await createRule({
      name: 'takeover',
      for: '0s',
      condition: { kind: 'absence', signal: 'spans', service: 'gone', window: '5m' },
    });
    const store = new AlertStateStore(s.cp.dataSource);
    assert.deepEqual(
      (await store.claimDue('dead-replica', 60_000, 10)).map((c) => c.id),
      [id],
    );
    const [lease] = await s.cp.dataSource.query(
      'SELECT extract(epoch FROM lease_until - now()) AS left FROM alert_rule_leases WHERE rule_id = $1',
      [id],
    );
    assert.ok(Number(lease.left) > 50 && Number(lease.left) <= 60, `a lease of 60 s: ${lease.left} s left`);
    assert.equal(await scheduler('survivor').tick(), 0, 'the lease is still held');
    // The lease runs out: moved into the past on the scheduler's clock (the database's), as makeDue does.
    await s.cp.dataSource.query(
      "UPDATE alert_rule_leases SET lease_until = now() - interval '1 second' WHERE rule_id = $1",
      [id],
    );
    assert.equal(await scheduler('survivor').tick(), 1, 'taken over after the lease ran out');
    const late = await store.commit(id, 'default', 'dead-replica', {
      instances: [],
      notifications: [],
      channelIds: [],
      intervalMs: 60_000,
    });
    assert.equal(late, false, 'fenced: the old holder can no longer write');
    const alerts = await call(s.api.url, `/api/v1/alerts?ruleId=${id}`, { key: s.readKey });
    assert.deepEqual(
      alerts.body.data.map((x: Json) => x.state),
      ['firing'],
    );
    await call(s.api.url, `/api/v1/alert-rules/${id}`, { key: s.key, method: 'DELETE' });
  });

  it('reports how late each rule was picked up after its due time', async () => {
    const id = await createRule({
      name: 'late',
      for: '0s',
      condition: { kind: 'absence', signal: 'logs', service: 'late-svc', window: '5m' },
    });
    await s.cp.dataSource.query(
      "UPDATE alert_rule_leases SET due_at = now() - interval '90 seconds' WHERE rule_id = $1",
      [id],
    );
    const registry = new Registry();
    const metrics = createAlertingMetrics(registry);
    const measured = new RuleScheduler({
      dataSource: s.cp.dataSource,
      reader: new ClickHouseConditionReader(s.ch, s.reads),
      history,
      replicaId: 'a',
      metrics,
    });
    assert.equal(await measured.tick(), 1);
    const delay = await metrics.evaluationDelaySeconds.get();
    const value = (name: string, le?: number) =>
      delay.values.find((v) => v.metricName === name && (le === undefined || v.labels.le === le))?.value;
    assert.equal(value('tf_alerting_evaluation_delay_seconds_count'), 1);
    assert.equal(value('tf_alerting_evaluation_delay_seconds_bucket', 60), 0, 'not within a minute of its due time');
    assert.equal(value('tf_alerting_evaluation_delay_seconds_bucket', 120), 1);
    await call(s.api.url, `/api/v1/alert-rules/${id}`, { key: s.key, method: 'DELETE' });
  });

  it('silences mark matching alerts as silenced and can be ended', async () => {
    const id = await createRule({
      name: 'silenced',
      for: '0s',
      labels: { team: 'web' },
      condition: { kind: 'absence', signal: 'logs', service: 'quiet', window: '5m' },
    });
    await makeDue();
    await scheduler('a').tick();
    const start = new Date(Date.now() - 1000).toISOString();
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const created = await call(s.api.url, '/api/v1/silences', {
      key: s.key,
      method: 'POST',
      body: { matchers: [{ label: 'team', value: 'web' }], startsAt: start, endsAt: end, comment: 'deploy' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.data.createdBy, /^key:/);
    const alerts = (await call(s.api.url, `/api/v1/alerts?ruleId=${id}`, { key: s.readKey })).body.data as Json[];
    assert.deepEqual(
      alerts.map((a) => [a.state, a.silenced]),
      [['firing', true]],
    );
    assert.equal((await call(s.api.url, '/api/v1/silences', { key: s.readKey })).body.data.length, 1);
    assert.equal(
      (await call(s.api.url, `/api/v1/silences/${created.body.data.id}`, { key: s.betaKey, method: 'DELETE' })).status,
      404,
    );
    assert.equal(
      (await call(s.api.url, `/api/v1/silences/${created.body.data.id}`, { key: s.key, method: 'DELETE' })).status,
      204,
    );
    assert.deepEqual((await call(s.api.url, '/api/v1/silences', { key: s.readKey })).body.data, []);
    const after = (await call(s.api.url, `/api/v1/alerts?ruleId=${id}`, { key: s.readKey })).body.data as Json[];
    assert.equal(after[0].silenced, false);
    const bad = await call(s.api.url, '/api/v1/silences', {
      key: s.key,
      method: 'POST',
      body: { matchers: [{ label: 'team', value: 'web' }], startsAt: end, endsAt: start },
    });
    assert.equal(bad.status, 400);
  });
});
