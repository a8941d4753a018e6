import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertRuleInputSchema } from '@telemetryflow/contract';
import { rulesFromYaml, rulesToYaml, RulesDocumentError } from './rules-yaml.js';

const rules = [
  AlertRuleInputSchema.parse({
    name: 'slow checkout',
    condition: { kind: 'span', measure: 'p99_latency_ms', service: 'checkout', threshold: { op: 'above', value: 800 } },
    for: '5m',
    groupBy: ['operation'],
    severity: 'critical',
    labels: { team: 'payments' },
    annotations: { summary: '{{ $labels.operation }} p99 is {{ $value }} ms' },
  }),
  AlertRuleInputSchema.parse({
    name: 'availability',
    condition: { kind: 'slo_burn_rate', objective: 'availability', service: 'checkout', target: 0.999 },
  }),
];

describe('rules as YAML', () => {
  it('round-trips: export, import, export gives the same text and rules', () => {
    const text = rulesToYaml(rules);
    const back = rulesFromYaml(text);
    assert.equal(rulesToYaml(back), text);
    assert.deepEqual(
      back.map((r) => r.name),
      ['availability', 'slow checkout'],
    );
    assert.deepEqual(back[1], rules[0]);
    assert.match(text, /apiVersion: telemetryflow\/v1/);
    assert.match(text, /factor: 14.4/);
  });

  it('names the offending field', () => {
    const text = rulesToYaml(rules).replace('p99_latency_ms', 'p42');
    assert.throws(
      () => rulesFromYaml(text),
      (e: unknown) => e instanceof RulesDocumentError && e.path === 'rules.1.condition.measure',
    );
  });

  it('refuses duplicate names and broken YAML', () => {
    assert.throws(() => rulesFromYaml(rulesToYaml([rules[0]!, rules[0]!])), /appears twice/);
    assert.throws(() => rulesFromYaml('rules: [unclosed'), /not valid YAML/);
  });
});
