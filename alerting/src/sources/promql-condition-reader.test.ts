// PromQL rule conditions over the real engine: a MemorySeriesSource behind PromqlReads, as the
// query package's PromqlQueries puts the ClickHouse-backed source behind it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertRuleInputSchema, type AlertRuleInput } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import { instantQuery, MemorySeriesSource, QueryError, rangeQuery } from '@telemetryflow/promql';
import { evaluateRule, groupKey, type GroupSample } from '../evaluation/evaluate-rule.js';
import type { InstanceState } from '../evaluation/state-machine.js';
import { previewRule } from '../rules/rule-preview.js';
import { evaluationError } from '../scheduler/rule-scheduler.js';
import { PromqlConditionReader } from './promql-condition-reader.js';
import type { PromqlReads } from './promql-reads.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const LIMITS = { maxExecutionSeconds: 10, maxSearchRangeDays: 31 };

/** Two API targets scraped every 15 s for 20 minutes; `b` is down (up 0) from minute 3 to minute 9. */
function targets(): MemorySeriesSource {
  const source = new MemorySeriesSource();
  for (let t = T0; t <= T0 + 20 * MIN; t += 15_000) {
    const bDown = t >= T0 + 3 * MIN && t < T0 + 9 * MIN;
    source.append({ __name__: 'up', job: 'api', instance: 'a' }, t, 1);
    source.append({ __name__: 'up', job: 'api', instance: 'b' }, t, bDown ? 0 : 1);
    source.append({ __name__: 'queue_depth', job: 'api', instance: 'a' }, t, (t - T0) / MIN);
  }
  return source;
}

/** PromqlReads over the in-memory source; it records the tenant and the queries it was asked. */
function memoryReads(source: MemorySeriesSource): PromqlReads & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    instant: (tenant, expr, timeMs, signal) => {
      calls.push(`${tenant} instant ${expr} @${timeMs}`);
      return instantQuery(source, expr, timeMs, signal ? { signal } : {});
    },
    range: (tenant, expr, startMs, endMs, stepMs, signal) => {
      calls.push(`${tenant} range ${expr} ${startMs}..${endMs}/${stepMs}`);
      return rangeQuery(source, expr, startMs, endMs, stepMs, signal ? { signal } : {});
    },
  };
}

function rule(condition: Record<string, unknown>, over: Record<string, unknown> = {}): AlertRuleInput {
  return AlertRuleInputSchema.parse({ name: 'targets', condition: { kind: 'promql', ...condition }, ...over });
}

describe('PromqlConditionReader', () => {
  const reads = memoryReads(targets());
  const reader = new PromqlConditionReader(reads, LIMITS);

  it('makes every series of the result a group, labelled without the metric name', async () => {
    const down = await reader.read('acme', rule({ query: 'up == 0' }), T0 + 5 * MIN);
    assert.deepEqual(down, [{ labels: { instance: 'b', job: 'api' }, value: 0 }]);
    assert.equal(reads.calls.at(-1), `acme instant up == 0 @${T0 + 5 * MIN}`);
    assert.deepEqual(await reader.read('acme', rule({ query: 'up == 0' }), T0 + 10 * MIN), []);
  });

  it('reads aggregations and scalars (a scalar is one group without labels)', async () => {
    assert.deepEqual(await reader.read('acme', rule({ query: 'sum by (job) (up)' }), T0 + 5 * MIN), [
      { labels: { job: 'api' }, value: 1 },
    ]);
    assert.deepEqual(await reader.read('acme', rule({ query: 'scalar(sum(up))' }), T0 + 5 * MIN), [
      { labels: {}, value: 1 },
    ]);
  });

  it('passes on PromQL errors of the evaluation with Prometheus’ message, as the rule’s evaluation error', async () => {
    const err = await reader.read('acme', rule({ query: 'up + on() up' }), T0 + 5 * MIN).catch((e: unknown) => e);
    assert.ok(err instanceof QueryError && err.type === 'execution', String(err));
    assert.match(evaluationError(err), /^found duplicate series for the match group \{\} on the right hand-side/);
  });

  it('refuses a stored rule whose expression does not parse, with Prometheus’ parse message', async () => {
    const err = await reader.read('acme', rule({ query: 'rate(up[5m]' }), T0).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && err.status === 400);
    assert.equal(evaluationError(err), 'condition.query: 1:12: parse error: unclosed left parenthesis');
  });

  it('a preview replays the rule with one range query, and agrees with evaluating it step by step', async () => {
    const r = rule({ query: 'up == 0' }, { interval: '1m', for: '2m' });
    const before = reads.calls.length;
    const preview = await previewRule(reader, 'acme', r, T0, T0 + 15 * MIN, { budgetMs: 10_000 });
    assert.deepEqual(reads.calls.slice(before), [`acme range up == 0 ${T0 + MIN}..${T0 + 15 * MIN}/${MIN}`]);
    assert.equal(preview.evaluations, 15);
    const b = groupKey({ instance: 'b', job: 'api' });
    assert.deepEqual(
      preview.transitions.map((t) => [t.time, t.groupKey, `${t.from}>${t.to}`, t.value]),
      [
        [new Date(T0 + 3 * MIN).toISOString(), b, 'inactive>pending', 0],
        [new Date(T0 + 5 * MIN).toISOString(), b, 'pending>firing', 0],
        [new Date(T0 + 9 * MIN).toISOString(), b, 'firing>resolved', null],
      ],
    );

    // The scheduler's way: an instant query at each evaluation.
    let instances: ReadonlyMap<string, InstanceState> = new Map();
    const stepwise: string[] = [];
    for (let at = T0 + MIN; at <= T0 + 15 * MIN; at += MIN) {
      const out = evaluateRule(r, await reader.read('acme', r, at), instances, at);
      instances = out.instances;
      stepwise.push(...out.transitions.map((t) => `${new Date(at).toISOString()} ${t.from}>${t.to}`));
    }
    assert.deepEqual(
      stepwise,
      preview.transitions.map((t) => `${t.time} ${t.from}>${t.to}`),
    );
  });

  it('a preview with a threshold fires each series while its value passes it', async () => {
    const r = rule({ query: 'queue_depth', threshold: { op: 'above', value: 4.5 } }, { interval: '1m' });
    const preview = await previewRule(reader, 'acme', r, T0, T0 + 8 * MIN, { budgetMs: 10_000 });
    assert.deepEqual(
      preview.transitions.map((t) => [t.time, t.labels, `${t.from}>${t.to}`, t.value]),
      [[new Date(T0 + 5 * MIN).toISOString(), { instance: 'a', job: 'api' }, 'inactive>firing', 5]],
    );
  });
});

describe('groups of PromQL results', () => {
  it('refuses results that are no vector or scalar, and series that collide once the name is gone', async () => {
    const reader = new PromqlConditionReader(
      {
        instant: (_t, _e, timeMs) => instantQuery(targets(), '"text"', timeMs),
        range: (_t, _e, s, e, step) => rangeQuery(targets(), '{__name__=~"up|queue_depth", instance="a"}', s, e, step),
      },
      LIMITS,
    );
    await assert.rejects(reader.read('acme', rule({ query: 'up' }), T0 + MIN), {
      name: 'QueryError',
      message: 'rule result is not a vector or scalar',
    });
    await assert.rejects(reader.readPromqlEvaluations('acme', { kind: 'promql', query: 'up' }, [T0 + MIN]), {
      name: 'QueryError',
      message: 'vector contains metrics with the same labelset after applying alert labels',
    });
  });
});

describe('PromQL rule state', () => {
  const down = (instance: string): GroupSample => ({ labels: { instance }, value: 0 });
  function run(r: AlertRuleInput, evaluations: GroupSample[][]): string[] {
    let instances: ReadonlyMap<string, InstanceState> = new Map();
    const out: string[] = [];
    evaluations.forEach((samples, i) => {
      const e = evaluateRule(r, samples, instances, T0 + i * MIN);
      instances = e.instances;
      out.push(...e.transitions.map((t) => `${i} ${JSON.stringify(t.labels)} ${t.from}>${t.to}`));
    });
    return out;
  }

  it('a series that leaves the result resolves, even when no data keeps the state for other kinds', () => {
    const r = rule({ query: 'up == 0' }, { noData: 'keep' });
    assert.deepEqual(run(r, [[down('a'), down('b')], [down('b')], [], []]), [
      '0 {"instance":"a"} inactive>firing',
      '0 {"instance":"b"} inactive>firing',
      '1 {"instance":"a"} firing>resolved',
      '2 {"instance":"b"} firing>resolved',
    ]);
  });

  it('a NaN sample still fires without a threshold (being in the result is the condition) and never passes one', () => {
    const nan = [{ labels: {}, value: Number.NaN }];
    assert.deepEqual(run(rule({ query: 'x' }), [nan]), ['0 {} inactive>firing']);
    assert.deepEqual(run(rule({ query: 'x', threshold: { op: 'below', value: 1 } }), [nan]), []);
  });

  it('no data: alerting fires the rule’s label-less group while the result is empty', () => {
    const r = rule({ query: 'up{job="batch"}' }, { noData: 'alerting', for: '1m' });
    assert.deepEqual(run(r, [[], [], [{ labels: { job: 'batch' }, value: 1 }]]), [
      '0 {} inactive>pending',
      '1 {} pending>firing',
      '2 {"job":"batch"} inactive>pending',
      '2 {} firing>resolved',
    ]);
  });
});
