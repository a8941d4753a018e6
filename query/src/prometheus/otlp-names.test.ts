import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMETHEUS_SCOPE } from '@telemetryflow/otlp';
import {
  type CatalogSeries,
  type StoredMetric,
  prometheusLabelName,
  prometheusMetadataOf,
  prometheusMetricNames,
  prometheusUnit,
  prometheusViewsOf,
  targetInfoOf,
} from './otlp-names.js';

const DELTA = 1;
const CUMULATIVE = 2;

function metric(
  name: string,
  unit: string,
  kind: 'gauge' | 'counter' | 'updown' | 'histogram' | 'summary',
): StoredMetric {
  const base = { metricName: name, unit, description: '', scopeName: 'io.example.app', isMonotonic: false };
  switch (kind) {
    case 'gauge':
      return { ...base, metricType: 'gauge', temporality: 0 };
    case 'counter':
      return { ...base, metricType: 'sum', temporality: CUMULATIVE, isMonotonic: true };
    case 'updown':
      return { ...base, metricType: 'sum', temporality: CUMULATIVE };
    case 'histogram':
      return { ...base, metricType: 'histogram', temporality: CUMULATIVE };
    case 'summary':
      return { ...base, metricType: 'summary', temporality: 0 };
  }
}

function series(m: StoredMetric, extra: Partial<CatalogSeries> = {}): CatalogSeries {
  return { scopeVersion: '', resourceAttributes: {}, attributes: {}, ...m, ...extra };
}

// [OTLP name, unit, kind, Prometheus name]. Sources: the collector's pkg/translator/prometheus
// README table (R), prometheus/otlptranslator's MetricNamer cases (T), the spec's rules (S).
const NAMES: [string, string, Parameters<typeof metric>[2], string][] = [
  ['(lambda).function.executions(#)', '', 'gauge', 'lambda_function_executions'], // R: stray characters
  ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'], // R
  ['system.network.dropped', '{packets}', 'gauge', 'system_network_dropped'], // R: annotation dropped
  ['system.network.dropped', 'packets', 'gauge', 'system_network_dropped_packets'], // R
  ['system.memory.utilization', '1', 'gauge', 'system_memory_utilization_ratio'], // R
  ['storage.filesystem.utilization', '%', 'gauge', 'storage_filesystem_utilization_percent'], // R
  ['astro.light.speed', 'm/s', 'gauge', 'astro_light_speed_meters_per_second'], // R
  ['system.processes.created', '', 'counter', 'system_processes_created_total'], // R
  ['http.server.duration', 's', 'histogram', 'http_server_duration_seconds'], // T (doc example)
  ['memory.usage', 'By', 'gauge', 'memory_usage_bytes'], // T
  ['requests.count', '1', 'counter', 'requests_count_total'], // T: `_ratio` for gauges only
  ['requests', '1/s', 'gauge', 'requests_per_second'], // T
  ['throughput', 'By/s', 'gauge', 'throughput_bytes_per_second'], // T
  ['custom_metric', 'By/{custom}', 'gauge', 'custom_metric_bytes'], // T
  ['custom_metric', 'unit@with#special/chars', 'gauge', 'custom_metric_unit_with_special_per_chars'], // T
  ['metric@with#special$chars', '', 'gauge', 'metric_with_special_chars'], // T
  [
    'metric__with__multiple__underscores',
    'unit__multiple__underscores',
    'gauge',
    'metric_with_multiple_underscores_unit_multiple_underscores',
  ], // T, S
  ['123metric', '', 'gauge', '_123metric'], // T: leading digit
  ['requests_total', '', 'counter', 'requests_total'], // T: suffix not doubled
  ['cpu_usage_ratio', '1', 'gauge', 'cpu_usage_ratio'], // T
  ['response_time_seconds', 's', 'gauge', 'response_time_seconds'], // T
  ['otelcol_process_cpu_seconds', 's', 'counter', 'otelcol_process_cpu_seconds_total'], // T
  ['requests.total.count', '', 'counter', 'requests_count_total'], // `total` moves to the end
  ['job:rate:ratio', '', 'gauge', 'job:rate:ratio'], // colons are valid in names
  ['http.client.request.body.size', 'KiBy', 'histogram', 'http_client_request_body_size_kibibytes'],
  ['rpc.server.duration', 'ms', 'summary', 'rpc_server_duration_milliseconds'],
  ['process.runtime.jvm.threads.count', '{thread}', 'updown', 'process_runtime_jvm_threads_count'],
  ['queue.fill', '1', 'updown', 'queue_fill'], // `_ratio` only for OTLP gauges, not up-down sums
  ['device.temperature', 'Cel', 'gauge', 'device_temperature_celsius'],
  ['clock.skew', ' us ', 'gauge', 'clock_skew_microseconds'], // units are trimmed
];

test('OTLP metric names follow the spec and the translator: unit, _total, _ratio, sanitizing', () => {
  for (const [name, unit, kind, want] of NAMES) {
    const m = metric(name, unit, kind);
    const got = prometheusMetadataOf(m)?.family;
    assert.equal(got, want, `${name} [${unit}] ${kind}`);
  }
});

test('every __name__ a metric answers to: histogram and summary families, nothing unrepresentable', () => {
  assert.deepEqual(prometheusMetricNames(metric('http.server.duration', 's', 'histogram')), [
    'http_server_duration_seconds_bucket',
    'http_server_duration_seconds_sum',
    'http_server_duration_seconds_count',
  ]);
  assert.deepEqual(prometheusMetricNames(metric('rpc.latency', 'ms', 'summary')), [
    'rpc_latency_milliseconds',
    'rpc_latency_milliseconds_sum',
    'rpc_latency_milliseconds_count',
  ]);
  assert.deepEqual(prometheusMetricNames(metric('http.requests', '{request}', 'counter')), ['http_requests_total']);
  assert.deepEqual(prometheusMetricNames(metric('queue.size', '{item}', 'updown')), ['queue_size']);
  // Delta sums and histograms, exponential histograms, names with nothing valid: no series.
  const counter = metric('http.requests', '', 'counter');
  assert.deepEqual(prometheusMetricNames({ ...counter, temporality: DELTA }), []);
  assert.deepEqual(prometheusMetricNames({ ...metric('queue.size', '', 'updown'), temporality: DELTA }), []);
  assert.deepEqual(prometheusMetricNames({ ...metric('latency', 's', 'histogram'), temporality: DELTA }), []);
  assert.deepEqual(
    prometheusMetricNames({ ...metric('latency', 's', 'histogram'), metricType: 'exponential_histogram' }),
    [],
  );
  assert.deepEqual(prometheusMetricNames(metric('@#$%', '', 'gauge')), []);
  assert.deepEqual(prometheusViewsOf(series({ ...counter, temporality: DELTA })), []);
  assert.equal(prometheusMetadataOf({ ...counter, temporality: DELTA }), undefined);
  // A name made of invalid characters still takes its unit (the translator joins the tokens).
  assert.deepEqual(prometheusMetricNames(metric('@#$%', 's', 'gauge')), ['seconds']);
});

// [attribute key, label name]: otlptranslator LabelNamer defaults (T), collector README (R).
const LABELS: [string, string | undefined][] = [
  ['label:with:colons', 'label_with_colons'], // T
  ['LabelWithCapitalLetters', 'LabelWithCapitalLetters'], // T
  ['label!with&special$chars)', 'label_with_special_chars_'], // T
  ['label_with_foreign_characters_字符', 'label_with_foreign_characters_'], // T
  ['label.with.dots', 'label_with_dots'], // T
  ['.foo', '_foo'], // T
  ['123label', 'key_123label'], // T
  ['_label_starting_with_underscore', '_label_starting_with_underscore'], // T
  ['__label_starting_with_2underscores', '_label_starting_with_2underscores'], // T
  ['label__with__double__underscores', 'label_with_double_underscores'], // T, spec: runs → one `_`
  ['label.name__with&&special##chars', 'label_name_with_special_chars'], // T
  ['__reserved__label__name__', '__reserved_label_name__'], // T
  ['trailing_underscores___', 'trailing_underscores_'], // T
  ['host.name', 'host_name'], // R
  ['name (of the host)', 'name_of_the_host_'], // R (runs collapsed, per the spec)
  ['2 cents', 'key_2_cents'], // R
  ['ようこそ', undefined], // T: nothing valid left
  ['__', undefined], // T
  ['', undefined], // T
];

test('attribute keys become Prometheus label names as the translator builds them', () => {
  for (const [key, want] of LABELS) assert.equal(prometheusLabelName(key), want, JSON.stringify(key));
});

test('a gauge point: sanitized attributes, scope labels, job and instance from the resource', () => {
  const s = series(metric('system.cpu.utilization', '1', 'gauge'), {
    scopeName: 'otelcol/hostmetricsreceiver/cpu',
    scopeVersion: '0.110.0',
    resourceAttributes: {
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'pod-7f9c',
      'host.name': 'node-1',
    },
    attributes: { 'cpu.mode': 'idle', cpu: '0', 'http.route': '' },
  });
  assert.deepEqual(prometheusViewsOf(s), [
    {
      labels: {
        __name__: 'system_cpu_utilization_ratio',
        cpu: '0',
        cpu_mode: 'idle',
        otel_scope_name: 'otelcol/hostmetricsreceiver/cpu',
        otel_scope_version: '0.110.0',
        job: 'shop/checkout',
        instance: 'pod-7f9c',
      },
      value: 'value',
    },
  ]);
  // No namespace: job is the service name; no instance id, no scope: no such labels.
  const plain = series(metric('jobs.queued', '{job}', 'updown'), {
    scopeName: '',
    resourceAttributes: { 'service.name': 'worker' },
  });
  assert.deepEqual(prometheusViewsOf(plain), [{ labels: { __name__: 'jobs_queued', job: 'worker' }, value: 'value' }]);
});

test('attributes that sanitize alike join with ";" in the order of their keys; job/instance win', () => {
  const s = series(metric('requests', '', 'counter'), {
    scopeName: '',
    resourceAttributes: { 'service.name': 'api' },
    // Spec "Metric Attributes": colliding keys' values concatenated by lexicographic key order.
    attributes: { a_b: 'underscore', 'a.b': 'dot', 'a-b': 'dash', job: 'from-point', '0x': 'digit' },
  });
  assert.deepEqual(prometheusViewsOf(s)[0]?.labels, {
    __name__: 'requests_total',
    a_b: 'dash;dot;underscore',
    key_0x: 'digit',
    job: 'api',
  });
});

test('a histogram: cumulative _bucket per bound with le as Go formats it, +Inf, _sum, _count', () => {
  const s = series(metric('http.server.request.duration', 's', 'histogram'), {
    scopeName: '',
    resourceAttributes: { 'service.name': 'api', 'service.instance.id': 'i-1' },
    attributes: { 'http.request.method': 'GET', le: 'shadowed' },
  });
  const bounds = [0, 0.005, 0.1, 2.5, 10, 1e-7, 1e21];
  const views = prometheusViewsOf(s, bounds);
  const base = { job: 'api', instance: 'i-1', http_request_method: 'GET', le: 'shadowed' };
  const family = 'http_server_request_duration_seconds';
  const les = ['0', '0.005', '0.1', '2.5', '10', '0.0000001', '1000000000000000000000'];
  assert.deepEqual(views, [
    ...les.map((le, bucket) => ({
      labels: { ...base, le, __name__: `${family}_bucket` },
      value: { bucket, bound: bounds[bucket] },
    })),
    { labels: { ...base, le: '+Inf', __name__: `${family}_bucket` }, value: { bucket: -1, bound: Infinity } },
    // The point's own `le` stays on _sum and _count, as in Prometheus' translator.
    { labels: { ...base, __name__: `${family}_sum` }, value: 'sum' },
    { labels: { ...base, __name__: `${family}_count` }, value: 'count' },
  ]);
  // Bounds unknown: the +Inf bucket, sum and count still exist.
  assert.deepEqual(
    prometheusViewsOf(s).map((v) => [v.labels.__name__, v.labels.le]),
    [
      [`${family}_bucket`, '+Inf'],
      [`${family}_sum`, 'shadowed'],
      [`${family}_count`, 'shadowed'],
    ],
  );
});

test('a summary: one series per quantile, then _sum and _count', () => {
  const s = series(metric('rpc.duration', 'ms', 'summary'), { scopeName: '', attributes: { method: 'Get' } });
  assert.deepEqual(prometheusViewsOf(s, [], [0, 0.5, 0.99, 1]), [
    { labels: { method: 'Get', quantile: '0', __name__: 'rpc_duration_milliseconds' }, value: { quantile: 0, q: 0 } },
    {
      labels: { method: 'Get', quantile: '0.5', __name__: 'rpc_duration_milliseconds' },
      value: { quantile: 1, q: 0.5 },
    },
    {
      labels: { method: 'Get', quantile: '0.99', __name__: 'rpc_duration_milliseconds' },
      value: { quantile: 2, q: 0.99 },
    },
    { labels: { method: 'Get', quantile: '1', __name__: 'rpc_duration_milliseconds' }, value: { quantile: 3, q: 1 } },
    { labels: { method: 'Get', __name__: 'rpc_duration_milliseconds_sum' }, value: 'sum' },
    { labels: { method: 'Get', __name__: 'rpc_duration_milliseconds_count' }, value: 'count' },
  ]);
});

test('target_info: job, instance and the other resource attributes; none without either', () => {
  assert.deepEqual(
    targetInfoOf({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'pod-7f9c',
      'k8s.pod.name': 'checkout-7f9c',
      'host.name': 'node-1',
      'telemetry.sdk.language': 'go',
      'deployment.environment': '',
    }),
    {
      __name__: 'target_info',
      job: 'shop/checkout',
      instance: 'pod-7f9c',
      k8s_pod_name: 'checkout-7f9c',
      host_name: 'node-1',
      telemetry_sdk_language: 'go',
    },
  );
  assert.deepEqual(targetInfoOf({ 'service.instance.id': 'i-1', 'host.name': 'a' }), {
    __name__: 'target_info',
    instance: 'i-1',
    host_name: 'a',
  });
  // Only identifying attributes: target_info would add nothing.
  assert.equal(targetInfoOf({ 'service.name': 'checkout', 'service.instance.id': 'i-1' }), undefined);
  // Nothing to identify the target by.
  assert.equal(targetInfoOf({ 'host.name': 'node-1' }), undefined);
  assert.equal(targetInfoOf({}), undefined);
});

test('remote-written series keep their name and labels exactly as written', () => {
  const written = (metricType: string, isMonotonic: boolean): CatalogSeries => ({
    metricName: 'http_requests_total',
    metricType,
    unit: '',
    description: 'Requests served.',
    temporality: metricType === 'sum' ? CUMULATIVE : 0,
    isMonotonic,
    scopeName: PROMETHEUS_SCOPE,
    scopeVersion: '',
    resourceAttributes: {},
    attributes: { job: 'api', instance: 'host:9090', 'odd.label': 'x', le: '0.5', __meta: 'kept' },
  });
  const labels = {
    __name__: 'http_requests_total',
    job: 'api',
    instance: 'host:9090',
    'odd.label': 'x',
    le: '0.5',
    __meta: 'kept',
  };
  assert.deepEqual(prometheusViewsOf(written('gauge', false)), [{ labels, value: 'value' }]);
  assert.deepEqual(prometheusViewsOf(written('sum', true)), [{ labels, value: 'value' }]);
  assert.deepEqual(prometheusMetricNames(written('gauge', false)), ['http_requests_total']);
  // No `_total` added to a remote-written counter named without it, no unit suffix.
  const counter = { ...written('sum', true), metricName: 'process_cpu', unit: 'seconds' };
  assert.deepEqual(prometheusMetricNames(counter), ['process_cpu']);
  assert.deepEqual(prometheusMetadataOf(counter), {
    family: 'process_cpu',
    type: 'counter',
    help: 'Requests served.',
    unit: 'seconds',
  });
  assert.equal(prometheusMetadataOf(written('gauge', false))?.type, 'unknown');
});

test('metadata: type per the spec, family with its suffixes, unit as Prometheus words, help', () => {
  const described = (m: StoredMetric): StoredMetric => ({ ...m, description: 'What it measures.' });
  const cases: [StoredMetric, string, string, string][] = [
    [metric('http.server.duration', 's', 'histogram'), 'http_server_duration_seconds', 'histogram', 'seconds'],
    [metric('http.requests', '{request}', 'counter'), 'http_requests_total', 'counter', ''],
    [metric('net.io', 'By/s', 'counter'), 'net_io_bytes_per_second_total', 'counter', 'bytes_per_second'],
    [metric('queue.size', '{item}', 'updown'), 'queue_size', 'gauge', ''],
    [metric('cpu.utilization', '1', 'gauge'), 'cpu_utilization_ratio', 'gauge', ''],
    [metric('rpc.duration', 'ms', 'summary'), 'rpc_duration_milliseconds', 'summary', 'milliseconds'],
  ];
  for (const [m, family, type, unit] of cases) {
    assert.deepEqual(prometheusMetadataOf(described(m)), { family, type, unit, help: 'What it measures.' });
  }
  assert.equal(
    prometheusMetadataOf({ ...metric('x', '', 'histogram'), metricType: 'exponential_histogram' }),
    undefined,
  );
});

test('Prometheus units from UCUM units (otlptranslator UnitNamer cases)', () => {
  const units: [string, string][] = [
    ['s', 'seconds'],
    ['ms', 'milliseconds'],
    ['By', 'bytes'],
    ['KiBy', 'kibibytes'],
    ['GBy', 'gigabytes'],
    ['1', ''],
    ['1/s', 'per_second'],
    ['By/s', 'bytes_per_second'],
    ['m/s', 'meters_per_second'],
    ['{request}/s', 'per_second'],
    ['{packet}', ''],
    ['requests/min', 'requests_per_min'],
    ['custom_unit', 'custom_unit'],
    ['unit__multiple__underscores', 'unit_multiple_underscores'],
    ['', ''],
  ];
  for (const [unit, want] of units) assert.equal(prometheusUnit(unit), want, unit);
});
