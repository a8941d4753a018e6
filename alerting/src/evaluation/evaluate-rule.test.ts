import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertRuleInputSchema, type AlertRuleInput } from '@telemetryflow/contract';
import { evaluateRule, groupKey, type GroupSample } from './evaluate-rule.js';
import type { InstanceState, Transition } from './state-machine.js';

function rule(over: Record<string, unknown> = {}): AlertRuleInput {
  return AlertRuleInputSchema.parse({
    name: 'errors',
    condition: { kind: 'span', measure: 'error_rate', window: '5m', threshold: { op: 'above', value: 0.05 } },
    interval: '1m',
    for: '3m',
    groupBy: ['service'],
    ...over,
  });
}

/** Drives a rule through evaluations one interval apart, as the scheduler would, on a fake clock. */
class Driver {
  nowMs = 1_700_000_000_000;
  instances = new Map<string, InstanceState>();
  transitions: Transition[] = [];
  constructor(
    private readonly r: AlertRuleInput,
    private readonly stepMs = 60_000,
  ) {}
  eval(samples: GroupSample[]): this {
    const out = evaluateRule(this.r, samples, this.instances, this.nowMs);
    this.instances = out.instances;
    this.transitions.push(...out.transitions);
    this.nowMs += this.stepMs;
    return this;
  }
  state(labels: Record<string, string>): string | undefined {
    return this.instances.get(groupKey(labels))?.state;
  }
}

const checkout = (value: number | null): GroupSample => ({ labels: { service: 'checkout' }, value });
const cart = (value: number | null): GroupSample => ({ labels: { service: 'cart' }, value });

describe('evaluateRule', () => {
  it('goes pending, then fires once the condition held for the whole `for`, then resolves', () => {
    const d = new Driver(rule());
    d.eval([checkout(0.2)]);
    assert.equal(d.state({ service: 'checkout' }), 'pending');
    d.eval([checkout(0.2)]).eval([checkout(0.2)]);
    assert.equal(d.state({ service: 'checkout' }), 'pending', 'held for 2m of 3m');
    d.eval([checkout(0.3)]);
    assert.equal(d.state({ service: 'checkout' }), 'firing');
    d.eval([checkout(0.01)]);
    assert.equal(d.state({ service: 'checkout' }), 'resolved');
    assert.deepEqual(
      d.transitions.map((t) => `${t.from}>${t.to}`),
      ['inactive>pending', 'pending>firing', 'firing>resolved'],
    );
    assert.equal(d.transitions[1]!.value, 0.3);
  });

  it('never fires when the condition flaps inside `for`', () => {
    const d = new Driver(rule());
    for (let i = 0; i < 20; i++) d.eval([checkout(i % 3 === 2 ? 0 : 0.5)]);
    assert.ok(
      d.transitions.every((t) => t.to !== 'firing'),
      JSON.stringify(d.transitions),
    );
    assert.ok(d.transitions.some((t) => t.from === 'pending' && t.to === 'inactive'));
  });

  it('fires at the first breach when `for` is 0', () => {
    const d = new Driver(rule({ for: '0s' }));
    d.eval([checkout(0.9)]);
    assert.equal(d.state({ service: 'checkout' }), 'firing');
  });

  it('keeps one instance per group', () => {
    const d = new Driver(rule({ for: '0s' }));
    d.eval([checkout(0.9), cart(0.01)]);
    assert.equal(d.state({ service: 'checkout' }), 'firing');
    assert.equal(d.state({ service: 'cart' }), 'inactive');
    d.eval([checkout(0.01), cart(0.9)]);
    assert.equal(d.state({ service: 'checkout' }), 'resolved');
    assert.equal(d.state({ service: 'cart' }), 'firing');
  });

  it('no data: keep leaves a firing alert firing', () => {
    const d = new Driver(rule({ for: '0s', noData: 'keep' }));
    d.eval([checkout(0.9)])
      .eval([])
      .eval([checkout(null)]);
    assert.equal(d.state({ service: 'checkout' }), 'firing');
    assert.equal(d.transitions.length, 1);
  });

  it('no data: ok resolves a firing alert', () => {
    const d = new Driver(rule({ for: '0s', noData: 'ok' }));
    d.eval([checkout(0.9)]).eval([]);
    assert.equal(d.state({ service: 'checkout' }), 'resolved');
  });

  it('no data: alerting fires the empty group of a rule that sees nothing, after `for`', () => {
    const d = new Driver(rule({ groupBy: [], noData: 'alerting', for: '2m' }));
    d.eval([]).eval([]);
    assert.equal(d.state({}), 'pending');
    d.eval([]);
    assert.equal(d.state({}), 'firing');
    d.eval([{ labels: {}, value: 0 }]);
    assert.equal(d.state({}), 'resolved');
  });

  it('forgets idle groups that stopped reporting, but not firing ones', () => {
    const d = new Driver(rule({ for: '0s' }));
    d.eval([checkout(0.9), cart(0.01)]).eval([]);
    assert.equal(d.state({ service: 'cart' }), undefined);
    assert.equal(d.state({ service: 'checkout' }), 'firing');
  });

  it('absence fires when the source sent nothing and resolves when it is back', () => {
    const d = new Driver(
      rule({
        condition: { kind: 'absence', signal: 'spans', service: 'checkout', window: '5m' },
        groupBy: [],
        for: '0s',
      }),
    );
    d.eval([{ labels: {}, value: 12 }]);
    assert.equal(d.state({}), 'inactive');
    d.eval([]);
    assert.equal(d.state({}), 'firing');
    assert.equal(d.instances.get(groupKey({}))!.value, 0);
    d.eval([{ labels: {}, value: 3 }]);
    assert.equal(d.state({}), 'resolved');
  });

  it('outside range breaches below min and above max only', () => {
    const d = new Driver(
      rule({
        condition: {
          kind: 'metric_threshold',
          query: { signal: 'metrics', metric: 'queue', aggregation: 'avg' },
          threshold: { op: 'outside', min: 10, max: 20 },
        },
        for: '0s',
        groupBy: [],
      }),
    );
    d.eval([{ labels: {}, value: 15 }]);
    assert.equal(d.state({}), 'inactive');
    d.eval([{ labels: {}, value: 25 }]);
    assert.equal(d.state({}), 'firing');
    d.eval([{ labels: {}, value: 20 }]);
    assert.equal(d.state({}), 'resolved');
    d.eval([{ labels: {}, value: 9.5 }]);
    assert.equal(d.state({}), 'firing');
  });

  it('group keys do not depend on label order', () => {
    assert.equal(groupKey({ a: '1', b: '2' }), groupKey({ b: '2', a: '1' }));
    assert.notEqual(groupKey({ a: '1,b=2' }), groupKey({ a: '1', b: '2' }));
  });
});
