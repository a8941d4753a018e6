import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceState, Transition } from '../evaluation/state-machine.js';
import { planNotifications } from './notification-policy.js';
import { isSilenced, matches } from './silences.js';

const S = 1000;
const timing = { groupWaitMs: 30 * S, repeatIntervalMs: 600 * S };
const firing = (firedAtMs: number): InstanceState => ({
  groupKey: 'g',
  labels: { service: 'checkout' },
  state: 'firing',
  value: 1,
  activeSinceMs: firedAtMs,
  firedAtMs,
  resolvedAtMs: null,
  lastEvaluatedAtMs: firedAtMs,
});
const never = () => false;

describe('planNotifications', () => {
  it('waits group_wait, then repeats every repeat_interval', () => {
    const inst = new Map([['g', firing(0)]]);
    let last = new Map<string, number | null>();
    const at = (ms: number) => {
      const p = planNotifications(inst, [], last, timing, ms, never);
      last = p.lastNotifiedMs;
      return p.decisions.map((d) => d.kind).join(',');
    };
    assert.equal(at(10 * S), '', 'inside group_wait');
    assert.equal(at(30 * S), 'firing');
    assert.equal(at(90 * S), '', 'inside repeat_interval');
    assert.equal(at(630 * S), 'firing');
  });

  it('sends a resolve once, and only for an alert whose firing was sent', () => {
    const resolved: Transition = { groupKey: 'g', labels: {}, from: 'firing', to: 'resolved', value: 0, atMs: 100 * S };
    const p = planNotifications(new Map(), [resolved], new Map([['g', 40 * S]]), timing, 100 * S, never);
    assert.deepEqual(p.decisions, [{ groupKey: 'g', kind: 'resolved', suppressed: false }]);
    assert.equal(p.lastNotifiedMs.get('g'), null);
    assert.deepEqual(
      planNotifications(new Map(), [resolved], new Map(), timing, 100 * S, never).decisions,
      [],
      'resolved within group_wait: nothing was sent, nothing to resolve',
    );
  });

  it('a resolve goes out under a silence too, so the receiver closes what it opened', () => {
    const resolved: Transition = { groupKey: 'g', labels: {}, from: 'firing', to: 'resolved', value: 0, atMs: 100 * S };
    const p = planNotifications(new Map(), [resolved], new Map([['g', 40 * S]]), timing, 100 * S, () => true);
    assert.deepEqual(p.decisions, [{ groupKey: 'g', kind: 'resolved', suppressed: false }]);
  });

  it('a silenced alert is recorded as suppressed and notified when the silence ends', () => {
    const inst = new Map([['g', firing(0)]]);
    const silenced = planNotifications(inst, [], new Map(), timing, 60 * S, () => true);
    assert.deepEqual(silenced.decisions, [{ groupKey: 'g', kind: 'firing', suppressed: true }]);
    const after = planNotifications(inst, [], silenced.lastNotifiedMs, timing, 120 * S, never);
    assert.deepEqual(after.decisions, [{ groupKey: 'g', kind: 'firing', suppressed: false }]);
  });
});

describe('silences', () => {
  it('match every matcher, = and !=', () => {
    assert.equal(
      matches(
        [
          { label: 'service', op: '=', value: 'checkout' },
          { label: 'env', op: '!=', value: 'prod' },
        ],
        { service: 'checkout', env: 'dev' },
      ),
      true,
    );
    assert.equal(
      matches(
        [
          { label: 'service', op: '=', value: 'checkout' },
          { label: 'env', op: '!=', value: 'prod' },
        ],
        { service: 'checkout', env: 'prod' },
      ),
      false,
    );
    assert.equal(matches([{ label: 'team', op: '=', value: '' }], {}), true, 'a missing label equals ""');
  });

  it('match regular expressions, fully anchored (=~, !~)', () => {
    const m = [
      { label: 'service', op: '=~' as const, value: 'pay-.*' },
      { label: 'env', op: '!~' as const, value: 'dev|test' },
    ];
    assert.equal(matches(m, { service: 'pay-api', env: 'prod' }), true);
    assert.equal(matches(m, { service: 'api-pay-x', env: 'prod' }), false, 'anchored');
    assert.equal(matches(m, { service: 'pay-api', env: 'test' }), false);
  });

  it('apply only inside their window', () => {
    const s = [
      { matchers: [{ label: 'service', op: '=' as const, value: 'checkout' }], startsAtMs: 100, endsAtMs: 200 },
    ];
    assert.equal(isSilenced(s, { service: 'checkout' }, 99), false);
    assert.equal(isSilenced(s, { service: 'checkout' }, 100), true);
    assert.equal(isSilenced(s, { service: 'checkout' }, 200), false);
    assert.equal(isSilenced(s, { service: 'cart' }, 150), false);
  });
});
