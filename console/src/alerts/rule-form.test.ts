import type { AlertRuleInput } from '@telemetryflow/contract';
import { AlertRuleInputSchema } from '@telemetryflow/contract/alerting';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../layout/field-errors.js';
import { newRuleForm, ruleForm, ruleInput } from './rule-form.js';

const check = (body: unknown) => AlertRuleInputSchema.safeParse(body);
const MONITOR = '0b0c8a52-3c2e-4c8f-9a57-0a8f2d6b1e11';

describe('rule form', () => {
  it('names the fields a new rule still needs', () => {
    const result = check(ruleInput(newRuleForm()));
    expect(result.success).toBe(false);
    expect(Object.keys(fieldErrors(result.error!.issues)).sort()).toEqual(['condition.threshold.value', 'name']);
  });

  it('builds a usage rule (one alert, no groups) and reads it back', () => {
    const form = newRuleForm();
    Object.assign(form, { name: 'refused spans', kind: 'usage', window: '1h', groupBy: ['service'] });
    form.usage.reason = 'quota';
    form.threshold.value = 0;
    const result = check(ruleInput(form));
    expect(result.success).toBe(true);
    expect(result.data!.groupBy).toEqual([]);
    expect(result.data!.condition).toEqual({
      kind: 'usage',
      signal: 'traces',
      measure: 'refused_requests',
      reason: 'quota',
      window: '1h',
      threshold: { op: 'above', value: 0 },
    });
    expect(ruleForm(result.data! as AlertRuleInput).usage).toEqual({
      signal: 'traces',
      measure: 'refused_requests',
      reason: 'quota',
    });
  });

  it('builds a valid span rule from the form, leaving out empty fields', () => {
    const form = newRuleForm();
    Object.assign(form, {
      name: 'checkout errors',
      groupBy: ['service'],
      labels: [
        { key: 'team', value: 'payments' },
        { key: '', value: 'ignored' },
      ],
    });
    form.span.service = 'checkout';
    form.threshold.value = 0.05;
    const result = check(ruleInput(form));
    expect(result.success).toBe(true);
    expect(result.data!.condition).toEqual({
      kind: 'span',
      measure: 'error_rate',
      service: 'checkout',
      window: '5m',
      threshold: { op: 'above', value: 0.05 },
    });
    expect(result.data!.labels).toEqual({ team: 'payments' });
  });

  it('keeps each kind of condition through form and back', () => {
    const rules: AlertRuleInput['condition'][] = [
      {
        kind: 'metric_threshold',
        query: {
          signal: 'metrics',
          metric: 'queue.depth',
          aggregation: 'max',
          groupBy: ['host'],
          filters: [{ label: 'host', op: 'in', value: ['h1', 'h2'] }],
        },
        window: '10m',
        threshold: { op: 'outside', min: 1, max: 5 },
      },
      {
        kind: 'span',
        measure: 'p95_latency_ms',
        service: 'checkout',
        operation: 'GET /',
        window: '5m',
        threshold: { op: 'above', value: 300 },
      },
      {
        kind: 'log_count',
        service: 'checkout',
        severity: 'ERROR',
        search: 'declined',
        window: '15m',
        threshold: { op: 'above', value: 10 },
      },
      { kind: 'absence', signal: 'metric', metric: 'heartbeat', window: '10m' },
      {
        kind: 'slo_burn_rate',
        objective: 'latency',
        service: 'checkout',
        target: 0.99,
        latencyThresholdMs: 500,
        windows: [{ long: '1h', short: '5m', factor: 14.4 }],
      },
      { kind: 'promql', query: 'up{job="api"} == 0' },
      { kind: 'promql', query: 'sum by (job) (rate(errors_total[5m]))', threshold: { op: 'above', value: 0.5 } },
      { kind: 'monitor', monitorId: MONITOR, check: 'down', window: '5m' },
      {
        kind: 'monitor',
        monitorId: MONITOR,
        check: 'certificateDays',
        window: '1h',
        threshold: { op: 'below', value: 14 },
      },
    ];
    for (const condition of rules) {
      const rule = AlertRuleInputSchema.parse({
        name: `rule ${condition.kind}`,
        condition,
        channels: ['6f1c1a52-3c2e-4c8f-9a57-0a8f2d6b1e11'],
        annotations: { summary: '{{ $value }}' },
      });
      expect(AlertRuleInputSchema.parse(ruleInput(ruleForm(rule)))).toEqual(rule);
    }
  });

  it('keeps what was typed for one kind while another is chosen', () => {
    const form = newRuleForm();
    form.span.service = 'checkout';
    form.kind = 'absence';
    form.absence.signal = 'metric';
    expect(fieldErrors(check({ ...(ruleInput(form) as object), name: 'x' }).error!.issues)).toEqual({
      'condition.metric': 'absence of a metric needs metric',
    });
    form.kind = 'span';
    expect((ruleInput(form) as { condition: { service: string } }).condition.service).toBe('checkout');
  });

  it('builds a PromQL condition: the expression, a threshold only when asked for, no groupBy', () => {
    const form = newRuleForm();
    Object.assign(form, { name: 'api down', kind: 'promql', groupBy: ['service'] });
    form.promql.query = 'up{job="api"} == 0';
    const body = ruleInput(form) as { condition: unknown; groupBy: string[] };
    expect(body.condition).toEqual({ kind: 'promql', query: 'up{job="api"} == 0' });
    expect(body.groupBy).toEqual([]);
    form.promql.threshold = true;
    form.threshold = { op: 'outside', value: null, min: 1, max: 5 };
    expect((ruleInput(form) as { condition: unknown }).condition).toEqual({
      kind: 'promql',
      query: 'up{job="api"} == 0',
      threshold: { op: 'outside', min: 1, max: 5 },
    });
  });

  it('reads a saved PromQL rule back into the form, with and without its threshold', () => {
    const base = { ...(ruleInput(newRuleForm()) as AlertRuleInput), name: 'latency' };
    const threshold = ruleForm({
      ...base,
      condition: { kind: 'promql', query: 'histogram_quantile(0.9, x)', threshold: { op: 'above', value: 0.5 } },
    });
    expect(threshold.kind).toBe('promql');
    expect(threshold.promql).toEqual({ query: 'histogram_quantile(0.9, x)', threshold: true });
    expect(threshold.threshold).toEqual({ op: 'above', value: 0.5, min: null, max: null });
    const plain = ruleForm({ ...base, condition: { kind: 'promql', query: 'up == 0' } });
    expect(plain.promql).toEqual({ query: 'up == 0', threshold: false });
    expect((ruleInput(plain) as { condition: unknown }).condition).toEqual({ kind: 'promql', query: 'up == 0' });
  });

  it('builds a monitor condition: the monitor, what fires, a threshold unless it is "down", no groupBy', () => {
    const form = newRuleForm();
    Object.assign(form, { name: 'shop slow', kind: 'monitor', groupBy: ['service'] });
    form.monitor = { monitorId: MONITOR, check: 'latencyP95' };
    expect(fieldErrors(check(ruleInput(form)).error!.issues)).toEqual({
      'condition.threshold.value': expect.stringMatching(/number/),
    });
    form.threshold.value = 800;
    const body = check(ruleInput(form));
    expect(body.data!.condition).toEqual({
      kind: 'monitor',
      monitorId: MONITOR,
      check: 'latencyP95',
      window: '5m',
      threshold: { op: 'above', value: 800 },
    });
    expect(body.data!.groupBy).toEqual([]);
    form.monitor.check = 'down';
    expect(check(ruleInput(form)).data!.condition).toEqual({
      kind: 'monitor',
      monitorId: MONITOR,
      check: 'down',
      window: '5m',
    });
    form.monitor.monitorId = '';
    expect(Object.keys(fieldErrors(check(ruleInput(form)).error!.issues))).toEqual(['condition.monitorId']);
  });
});
