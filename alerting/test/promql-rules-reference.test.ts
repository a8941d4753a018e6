// PromQL rule conditions against Prometheus 2.42's own rule manager: the same series and rules
// go to `promtool test rules` (Debian's prometheus package), which checks that the alerts we
// would have firing at every evaluation — labels and templated annotations — are exactly the
// ones Prometheus has firing. Without promtool the test skips locally and fails in CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AlertRuleInputSchema, type AlertRuleInput, type Threshold } from '@telemetryflow/contract';
import { instantQuery, MemorySeriesSource, rangeQuery } from '@telemetryflow/promql';
import { stringify } from 'yaml';
import {
  evaluateRule,
  PromqlConditionReader,
  renderAnnotations,
  type InstanceState,
  type PromqlReads,
} from '../src/index.js';
import { alertLabels } from '../src/notify/alert-notification.js';

const PROMTOOL = '/usr/bin/promtool';
const MIN = 60_000;
const STEPS = 16;

function skipReason(): string | undefined {
  if (existsSync(PROMTOOL)) return undefined;
  if (process.env.CI) throw new Error(`${PROMTOOL} is required in CI (apt-get install prometheus)`);
  return `${PROMTOOL} is not installed: the rule manager comparison is skipped (CI runs it)`;
}

/** promtool's series notation, one value a minute from 0: a number, `_` (no sample) or `stale`. */
const SERIES: Record<string, string> = {
  'up{job="api", instance="a"}': '1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
  'up{job="api", instance="b"}': '1 1 1 0 0 0 0 0 0 1 1 1 1 1 1 1',
  'up{job="api", instance="c"}': '1 1 0 0 0 0 stale',
  'up{job="batch", instance="d"}': '0 0 0 _ _ _ _ _ _ _ _ _ 0 0 0 0',
  'errors_total{job="api"}': '0 6 12 18 24 30 36 42 48 108 168 228 288 348 408 468',
  'errors_total{job="batch"}': '0 30 60 90 120 150 180 210 240 270 300 330 360 390 420 450',
};

function memorySource(): MemorySeriesSource {
  const source = new MemorySeriesSource();
  for (const [series, values] of Object.entries(SERIES)) {
    const m = /^(\w+)\{(.*)\}$/.exec(series)!;
    const labels: Record<string, string> = { __name__: m[1]! };
    for (const pair of m[2]!.split(', ')) {
      const [k, v] = pair.split('=');
      labels[k!] = JSON.parse(v!) as string;
    }
    values.split(' ').forEach((v, i) => {
      if (v === 'stale') source.appendStale(labels, i * MIN);
      else if (v !== '_') source.append(labels, i * MIN, Number(v));
    });
  }
  return source;
}

/** Our rule, and the expression Prometheus needs for the same condition (a threshold is a filter there). */
interface Case {
  rule: AlertRuleInput;
  expr: string;
}

function promqlFilter(query: string, t: Threshold): string {
  if (t.op === 'above') return `(${query}) > ${t.value}`;
  if (t.op === 'below') return `(${query}) < ${t.value}`;
  return `(${query}) < ${t.min} or (${query}) > ${t.max}`;
}

function ruleCase(name: string, condition: { query: string; threshold?: Threshold }, over: object = {}): Case {
  const rule = AlertRuleInputSchema.parse({ name, condition: { kind: 'promql', ...condition }, ...over });
  return { rule, expr: condition.threshold ? promqlFilter(condition.query, condition.threshold) : condition.query };
}

const RATE = 'sum by (job) (rate(errors_total[3m]))';
const CASES: Case[] = [
  ruleCase(
    'TargetDown',
    { query: 'up == 0' },
    {
      for: '2m',
      severity: 'critical',
      labels: { team: 'sre' },
      annotations: { summary: '{{ $labels.instance }} of {{ $labels.job }} is down' },
    },
  ),
  ruleCase('ErrorRateHigh', { query: RATE, threshold: { op: 'above', value: 0.4 } }),
  ruleCase('ErrorRateOutsideBand', { query: RATE, threshold: { op: 'outside', min: 0.2, max: 0.8 } }, { for: '1m' }),
  ruleCase('TargetsUp', { query: 'scalar(sum(up))' }, { severity: 'info' }),
];

function memoryReads(source: MemorySeriesSource): PromqlReads {
  return {
    instant: (_tenant, expr, timeMs) => instantQuery(source, expr, timeMs),
    range: (_tenant, expr, startMs, endMs, stepMs) => rangeQuery(source, expr, startMs, endMs, stepMs),
  };
}

/** Our firing alerts of one rule at every evaluation (one a minute from 0), as promtool's expected alerts. */
async function ourFiring(reader: PromqlConditionReader, rule: AlertRuleInput): Promise<object[][]> {
  let instances: ReadonlyMap<string, InstanceState> = new Map();
  const out: object[][] = [];
  for (let i = 0; i < STEPS; i++) {
    const at = i * MIN;
    instances = evaluateRule(rule, await reader.read('default', rule, at), instances, at).instances;
    out.push(
      [...instances.values()]
        .filter((s) => s.state === 'firing')
        .map((s) => {
          const { alertname: _name, ...labels } = alertLabels(rule, s.labels);
          const annotations = renderAnnotations(rule.annotations, {
            value: s.value,
            labels: alertLabels(rule, s.labels),
          });
          return { exp_labels: labels, ...(Object.keys(annotations).length ? { exp_annotations: annotations } : {}) };
        }),
    );
  }
  return out;
}

describe('PromQL rules against Prometheus 2.42 (promtool test rules)', { skip: skipReason() }, () => {
  it('fire, pend and resolve the same alerts at every evaluation', async () => {
    const reader = new PromqlConditionReader(memoryReads(memorySource()), {
      maxExecutionSeconds: 10,
      maxSearchRangeDays: 31,
    });
    const rules = {
      groups: [
        {
          name: 'telemetryflow',
          rules: CASES.map(({ rule, expr }) => ({
            alert: rule.name,
            expr,
            for: rule.for,
            labels: { severity: rule.severity, ...rule.labels },
            annotations: rule.annotations,
          })),
        },
      ],
    };
    const alertTests: object[] = [];
    let firingSeen = 0;
    for (const { rule } of CASES) {
      const firing = await ourFiring(reader, rule);
      firing.forEach((alerts, i) => {
        firingSeen += alerts.length;
        alertTests.push({ eval_time: `${i}m`, alertname: rule.name, exp_alerts: alerts });
      });
    }
    assert.ok(firingSeen > 20, `the scenario fires alerts (${firingSeen})`);
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: Object.entries(SERIES).map(([series, values]) => ({ series, values })),
          alert_rule_test: alertTests,
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'tf-promtool-'));
    try {
      writeFileSync(join(dir, 'rules.yml'), stringify(rules));
      writeFileSync(join(dir, 'tests.yml'), stringify(tests));
      const run = spawnSync(PROMTOOL, ['test', 'rules', 'tests.yml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, `promtool disagrees:\n${run.stdout}\n${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
