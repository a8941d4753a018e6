// deploy/grafana: the dashboard and the alert rules parse, every PromQL expression is valid
// (Prometheus's own lezer grammar) and uses only metrics TelemetryFlow exports.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { readDeployFile, TF_HISTOGRAMS, TF_METRICS } from './deploy-files.js';

/** prom-client's default metrics used here, and Prometheus's own `up`. */
const RUNTIME_METRICS = new Set([
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'up',
]);
const ALLOWED = new Set<string>([
  ...RUNTIME_METRICS,
  ...TF_METRICS.filter((m) => !TF_HISTOGRAMS.has(m)),
  ...[...TF_HISTOGRAMS].flatMap((m) => [`${m}_bucket`, `${m}_sum`, `${m}_count`]),
]);

/** Parses one expression; returns the metric names it selects, or throws on a syntax error. */
function metricsOf(expr: string): string[] {
  // Grafana's variables, as Grafana substitutes them before sending the query.
  const query = expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$job', '.*');
  const tree = parser.parse(query);
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(query.slice(node.from, node.to));
    },
  });
  if (error !== undefined) throw new Error(`PromQL syntax error at ${error}: ${query}`);
  return names;
}

describe('PromQL check', () => {
  test('finds syntax errors and metric names', () => {
    assert.throws(() => metricsOf('sum(rate(tf_ingest_redeliveries_total[5m])'), /syntax error/);
    assert.deepEqual(metricsOf('max by (signal) (tf_ingest_consumer_pending_messages{signal="logs"}) > 0'), [
      'tf_ingest_consumer_pending_messages',
    ]);
  });
});

/** The consumer-lag gauge is reported by every writer for its signal's shared consumer: never sum it raw. */
function assertLagNotOvercounted(expr: string): void {
  for (const m of expr.matchAll(/(\w+(?: by \([^)]*\))?) \(tf_ingest_consumer_pending_messages\b/g)) {
    assert.equal(m[1], 'max by (signal)', `lag is taken once per signal: ${expr}`);
  }
}

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readDeployFile('grafana/telemetryflow-dashboard.json')) as {
    uid: string;
    templating: { list: { name: string }[] };
    panels: {
      id: number;
      type: string;
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string; refId: string }[];
      gridPos: { x: number; y: number; w: number; h: number };
    }[];
  };

  test('every query is valid PromQL over TelemetryFlow metrics, and every TelemetryFlow metric is shown', () => {
    const used = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      assert.ok(panel.targets?.length, `panel ${panel.title} has queries`);
      assert.equal(panel.datasource?.uid, '${datasource}', `panel ${panel.title} uses the datasource variable`);
      for (const target of panel.targets) {
        const names = metricsOf(target.expr);
        assert.ok(names.length > 0, `${panel.title}: ${target.expr} selects a metric`);
        for (const name of names) {
          assert.ok(ALLOWED.has(name), `${panel.title}: ${name} is not a metric TelemetryFlow exports`);
          used.add(name.replace(/_(bucket|sum|count)$/, ''));
        }
        assert.match(target.expr, /job=~"\$job"/, `${panel.title}: filtered by the job variable`);
        assertLagNotOvercounted(target.expr);
      }
    }
    for (const metric of TF_METRICS) assert.ok(used.has(metric), `the dashboard shows ${metric}`);
    for (const metric of ['process_cpu_seconds_total', 'process_resident_memory_bytes'])
      assert.ok(used.has(metric), `the dashboard shows ${metric}`);
  });

  test('panels have unique ids and do not overlap; variables exist', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      assert.ok(g.x >= 0 && g.x + g.w <= 24, `${title} fits the 24-column grid`);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          assert.ok(!cells.has(`${x},${y}`), `${title} overlaps another panel`);
          cells.add(`${x},${y}`);
        }
      }
    }
    assert.deepEqual(
      dashboard.templating.list.map((v) => v.name),
      ['datasource', 'job'],
    );
  });
});

describe('Prometheus alert rules', () => {
  const rules = (
    parse(readDeployFile('grafana/telemetryflow-alerts.yaml')) as {
      groups: {
        name: string;
        rules: {
          alert: string;
          expr: string;
          for?: string;
          labels: { severity: string };
          annotations: { summary: string; description: string };
        }[];
      }[];
    }
  ).groups.flatMap((g) => g.rules);

  test('every rule is valid PromQL over TelemetryFlow metrics, with a duration, severity and summary', () => {
    const names = rules.map((r) => r.alert);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const rule of rules) {
      for (const name of metricsOf(rule.expr))
        assert.ok(ALLOWED.has(name), `${rule.alert}: ${name} is not a metric TelemetryFlow exports`);
      assertLagNotOvercounted(rule.expr);
      if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/, `${rule.alert}: for`);
      assert.ok(['critical', 'warning'].includes(rule.labels.severity), `${rule.alert}: severity`);
      assert.ok(rule.annotations.summary && rule.annotations.description, `${rule.alert}: summary and description`);
    }
  });

  test('cover refused ingest, consumer lag, failing and slow inserts, dead letters and targets down', () => {
    const about = (pattern: RegExp) => rules.filter((r) => pattern.test(r.expr)).map((r) => r.alert);
    assert.ok(about(/tf_otlp_requests_total\{outcome="unavailable"\}/).length > 0, 'ingest refused');
    assert.ok(
      about(/deriv\(\(max by \(signal\) \(tf_ingest_consumer_pending_messages\)\)/).length > 0,
      'consumer lag growing',
    );
    assert.ok(
      about(/unless on \(signal\) \(sum by \(signal\) \(rate\(tf_ingest_insert_seconds_count/).length > 0,
      'inserts failing (no success while lag)',
    );
    assert.ok(
      about(/histogram_quantile\(0\.99, sum by \(le, signal\) \(rate\(tf_ingest_insert_seconds_bucket/).length > 0,
      'slow inserts',
    );
    assert.ok(about(/tf_ingest_dead_letters_total/).length > 0, 'dead letters');
    assert.ok(about(/^up\{/).length > 0, 'target down');
  });
});

describe('KEDA lag query of the Helm chart', () => {
  test('is valid PromQL and counts each signal once', () => {
    const values = parse(readDeployFile('helm/telemetryflow/values.yaml')) as { ingest: { keda: { query: string } } };
    assert.deepEqual(metricsOf(values.ingest.keda.query), ['tf_ingest_consumer_pending_messages']);
    assertLagNotOvercounted(values.ingest.keda.query);
  });
});
