import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertRuleInputSchema, DEFAULT_BURN_WINDOWS } from '@telemetryflow/contract';
import { burnVerdict, burnWindowLengths } from './burn-rate.js';
import { evaluateRule } from './evaluate-rule.js';

const M = 60_000;
const H = 60 * M;
/** Bad-event ratios for the 5m, 30m, 1h and 6h windows. */
const ratios = (r5m: number | null, r30m: number | null, r1h: number | null, r6h: number | null) =>
  new Map([
    [5 * M, r5m],
    [30 * M, r30m],
    [H, r1h],
    [6 * H, r6h],
  ]);

describe('burn rate (99.9% target: budget 0.001)', () => {
  it('needs the four default windows', () => {
    assert.deepEqual(burnWindowLengths(DEFAULT_BURN_WINDOWS), [5 * M, 30 * M, H, 6 * H]);
  });

  it('fires when 1h and 5m both burn faster than 14.4x', () => {
    const v = burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(0.02, 0.001, 0.015, 0.002));
    assert.equal(v.breached, true);
    assert.ok(Math.abs(v.value! - 2) < 1e-9, `reports the longest window (0.002 / 0.001), got ${v.value}`);
  });

  it('does not fire on a short spike the long window does not confirm', () => {
    assert.equal(burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(0.5, 0.01, 0.01, 0.001)).breached, false);
  });

  it('stops firing once the short window recovered, though the long one still burns', () => {
    assert.equal(burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(0, 0, 0.02, 0.01)).breached, false);
  });

  it('fires on the slow pair: 6h and 30m above 6x', () => {
    assert.equal(burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(0.001, 0.007, 0.007, 0.0065)).breached, true);
    assert.equal(burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(0.001, 0.007, 0.007, 0.005)).breached, false);
  });

  it('is no data when no window saw an event', () => {
    assert.deepEqual(burnVerdict(0.999, DEFAULT_BURN_WINDOWS, ratios(null, null, null, null)), {
      breached: null,
      value: null,
    });
  });

  it('drives the state machine through a rule', () => {
    const rule = AlertRuleInputSchema.parse({
      name: 'checkout availability',
      condition: { kind: 'slo_burn_rate', objective: 'availability', service: 'checkout', target: 0.999 },
      for: '0s',
    });
    const first = evaluateRule(
      rule,
      [{ labels: {}, value: null, badRatios: ratios(0.05, 0.03, 0.02, 0.004) }],
      new Map(),
      0,
    );
    assert.deepEqual(
      first.transitions.map((t) => t.to),
      ['firing'],
    );
    const second = evaluateRule(
      rule,
      [{ labels: {}, value: null, badRatios: ratios(0, 0.004, 0.02, 0.005) }],
      first.instances,
      M,
    );
    assert.deepEqual(
      second.transitions.map((t) => t.to),
      ['resolved'],
    );
  });
});
