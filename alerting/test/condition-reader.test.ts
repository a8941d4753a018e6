import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertRuleInputSchema } from '@telemetryflow/schemas';
import { ClickHouseConditionReader } from '../src/index.js';
import { insertLogs, insertSeries, insertSpans, startAlertingStores, type AlertingStores } from './stores.js';

const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN;
let s: AlertingStores;
let reader: ClickHouseConditionReader;

const rule = (condition: Record<string, unknown>, groupBy: string[] = []) => AlertRuleInputSchema.parse({ name: 'r', condition, groupBy });
const byLabel = (samples: { labels: Record<string, string>; value: number | null }[], label: string) =>
  Object.fromEntries(samples.map((x) => [x.labels[label], x.value]));

before(async () => {
  s = await startAlertingStores('tf-alert-reader-');
  reader = new ClickHouseConditionReader(s.ch);
  // checkout: GET /cart 8 fast spans (2 errors), POST /pay 2 slow spans (both errors), 3 minutes ago.
  await insertSpans(s.ch, { service: 'checkout', name: 'GET /cart', atMs: NOW - 3 * MIN, n: 8, errors: 2, durMs: 20 });
  await insertSpans(s.ch, { service: 'checkout', name: 'POST /pay', atMs: NOW - 3 * MIN, n: 2, errors: 2, durMs: 900 });
  // Older than the 5 minute window: must not count.
  await insertSpans(s.ch, { service: 'checkout', name: 'GET /cart', atMs: NOW - 20 * MIN, n: 50, errors: 50 });
  // Another tenant's failures: never seen.
  await insertSpans(s.ch, { tenant: 'beta', service: 'checkout', name: 'GET /cart', atMs: NOW - 2 * MIN, n: 40, errors: 40 });
  await insertLogs(s.ch, { service: 'payments', atMs: NOW - 2 * MIN, severity: 'ERROR', bodies: ['Card DECLINED for order 1', 'card declined for order 2', 'timeout talking to bank'] });
  await insertLogs(s.ch, { service: 'payments', atMs: NOW - 2 * MIN, severity: 'INFO', bodies: ['card declined (retrying)'] });
  await insertSeries(s.ch, { metric: 'queue.depth', service: 'worker', fingerprint: '11', lastSeenMs: NOW - 2 * MIN });
  await insertSeries(s.ch, { metric: 'queue.depth', service: 'worker', fingerprint: '12', lastSeenMs: NOW - 30 * MIN });
});
after(async () => {
  await s.close();
});

describe('ClickHouseConditionReader', () => {
  const window = '5m';
  const threshold = { op: 'above', value: 0 };

  it('span measures per service over the window (through the QueryRunner), this tenant only', async () => {
    const at = NOW;
    const [errors] = await reader.read('default', rule({ kind: 'span', measure: 'error_rate', service: 'checkout', window, threshold }), at);
    assert.equal(errors!.value, 0.4);
    const [rate] = await reader.read('default', rule({ kind: 'span', measure: 'request_rate', service: 'checkout', window, threshold }), at);
    assert.ok(Math.abs(rate!.value! - 10 / 300) < 1e-9);
    const [p99] = await reader.read('default', rule({ kind: 'span', measure: 'p99_latency_ms', service: 'checkout', window, threshold }), at);
    assert.ok(p99!.value! > 800 && p99!.value! <= 900, String(p99!.value));
    const none = await reader.read('default', rule({ kind: 'span', measure: 'error_rate', service: 'nobody', window, threshold }), at);
    assert.ok(none.every((x) => x.value === null), `no spans: no data, got ${JSON.stringify(none)}`);
  });

  it('groups by operation', async () => {
    const samples = await reader.read('default', rule({ kind: 'span', measure: 'error_rate', service: 'checkout', window, threshold }, ['operation']), NOW);
    assert.deepEqual(byLabel(samples, 'operation'), { 'GET /cart': 0.25, 'POST /pay': 1 });
  });

  it('log match count: severity and every search word, case-insensitive', async () => {
    const [declined] = await reader.read('default', rule({ kind: 'log_count', service: 'payments', severity: 'error', search: 'card declined', window, threshold }), NOW);
    assert.equal(declined!.value, 2);
    const bySeverity = await reader.read('default', rule({ kind: 'log_count', service: 'payments', search: 'declined', window, threshold }, ['severity']), NOW);
    assert.deepEqual(byLabel(bySeverity, 'severity'), { ERROR: 2, INFO: 1 });
  });

  it('absence counts spans, logs and live metric series', async () => {
    const count = async (c: Record<string, unknown>) => (await reader.read('default', rule({ kind: 'absence', window, ...c }), NOW))[0]!.value;
    assert.equal(await count({ signal: 'spans', service: 'checkout' }), 10);
    assert.equal(await count({ signal: 'spans', service: 'gone' }), 0);
    assert.equal(await count({ signal: 'logs', service: 'payments' }), 4);
    assert.equal(await count({ signal: 'metric', metric: 'queue.depth' }), 1, 'only the series seen within the window');
    assert.equal(await count({ signal: 'metric', metric: 'queue.depth', window: '1m' }), 0);
  });

  it('query DTO conditions aggregate exactly the window, per-second measures over the window', async () => {
    const q = (query: Record<string, unknown>) => reader.read('default', rule({ kind: 'metric_threshold', window, threshold, query }), NOW);
    const [count] = await q({ signal: 'spans', measure: 'count', filters: [{ label: 'service', op: '=', value: 'checkout' }] });
    assert.equal(count!.value, 10, 'the spans of 20 minutes ago are outside the window');
    const [rate] = await q({ signal: 'spans', measure: 'rate', filters: [{ label: 'service', op: '=', value: 'checkout' }] });
    assert.ok(Math.abs(rate!.value! - 10 / 300) < 1e-9, String(rate!.value));
    const byOperation = await q({ signal: 'spans', measure: 'error_rate', filters: [{ label: 'service', op: '=', value: 'checkout' }], groupBy: ['operation'] });
    assert.deepEqual(byLabel(byOperation, 'operation'), { 'GET /cart': 0.25, 'POST /pay': 1 });
  });

  it('burn rate: the bad ratio of every window in one pass', async () => {
    const [sample] = await reader.read('default', rule({ kind: 'slo_burn_rate', objective: 'availability', service: 'checkout', target: 0.99 }), NOW);
    assert.equal(sample!.badRatios!.get(5 * MIN), 0.4);
    assert.equal(sample!.badRatios!.get(60 * MIN), 54 / 60);
    const [latency] = await reader.read('default', rule({ kind: 'slo_burn_rate', objective: 'latency', latencyThresholdMs: 500, service: 'checkout', target: 0.99 }), NOW);
    assert.equal(latency!.badRatios!.get(5 * MIN), 0.2);
  });
});
