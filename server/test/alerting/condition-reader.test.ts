import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { ApiError } from '@telemetryflow/http-kit';
import { AlertRuleInputSchema } from '@telemetryflow/contract';
import { ClickHouseConditionReader, previewRule, PreviewTooLargeError } from '@telemetryflow/alerting';
import {
  createQueryReads,
  insertLogs,
  insertSeries,
  insertSpans,
  startAlertingStores,
  type AlertingStores,
  type Json,
} from './stores.js';

const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN;
let s: AlertingStores;
let reader: ClickHouseConditionReader;

const rule = (condition: Record<string, unknown>, groupBy: string[] = []) =>
  AlertRuleInputSchema.parse({ name: 'r', condition, groupBy });
const byLabel = (samples: { labels: Record<string, string>; value: number | null }[], label: string) =>
  Object.fromEntries(samples.map((x) => [x.labels[label], x.value]));

/** The same client, counting the queries it runs at once. */
function counting(ch: ClickHouseClient): { client: ClickHouseClient; queries: number; maxInFlight: number } {
  const stats = { client: ch, queries: 0, maxInFlight: 0 };
  let inFlight = 0;
  stats.client = new Proxy(ch, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'query' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        stats.queries++;
        stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          inFlight--;
        }
      };
    },
  });
  return stats;
}

const isApiError = (status: number, detail: Record<string, string>) => (e: unknown) =>
  e instanceof ApiError &&
  e.status === status &&
  Object.entries(detail).every(([k, v]) => (e.details as Json)?.[k] === v);

before(async () => {
  s = await startAlertingStores('tf-alert-reader-');
  reader = new ClickHouseConditionReader(s.ch, s.reads);
  // checkout: GET /cart 8 fast spans (2 errors), POST /pay 2 slow spans (both errors), 3 minutes ago.
  await insertSpans(s.ch, { service: 'checkout', name: 'GET /cart', atMs: NOW - 3 * MIN, n: 8, errors: 2, durMs: 20 });
  await insertSpans(s.ch, { service: 'checkout', name: 'POST /pay', atMs: NOW - 3 * MIN, n: 2, errors: 2, durMs: 900 });
  // Older than the 5 minute window: must not count.
  await insertSpans(s.ch, { service: 'checkout', name: 'GET /cart', atMs: NOW - 20 * MIN, n: 50, errors: 50 });
  // Another tenant's failures: never seen.
  await insertSpans(s.ch, {
    tenant: 'beta',
    service: 'checkout',
    name: 'GET /cart',
    atMs: NOW - 2 * MIN,
    n: 40,
    errors: 40,
  });
  await insertLogs(s.ch, {
    service: 'payments',
    atMs: NOW - 2 * MIN,
    severity: 'ERROR',
    bodies: ['Card DECLINED for order 1', 'card declined for order 2', 'timeout talking to bank'],
  });
  await insertLogs(s.ch, {
    service: 'payments',
    atMs: NOW - 2 * MIN,
    severity: 'INFO',
    bodies: ['card declined (retrying)'],
  });
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
    const [errors] = await reader.read(
      'default',
      rule({ kind: 'span', measure: 'error_rate', service: 'checkout', window, threshold }),
      at,
    );
    assert.equal(errors!.value, 0.4);
    const [rate] = await reader.read(
      'default',
      rule({ kind: 'span', measure: 'request_rate', service: 'checkout', window, threshold }),
      at,
    );
    assert.ok(Math.abs(rate!.value! - 10 / 300) < 1e-9);
    const [p99] = await reader.read(
      'default',
      rule({ kind: 'span', measure: 'p99_latency_ms', service: 'checkout', window, threshold }),
      at,
    );
    assert.ok(p99!.value! > 800 && p99!.value! <= 900, String(p99!.value));
    const none = await reader.read(
      'default',
      rule({ kind: 'span', measure: 'error_rate', service: 'nobody', window, threshold }),
      at,
    );
    assert.ok(
      none.every((x) => x.value === null),
      `no spans: no data, got ${JSON.stringify(none)}`,
    );
  });

  it('groups by operation', async () => {
    const samples = await reader.read(
      'default',
      rule({ kind: 'span', measure: 'error_rate', service: 'checkout', window, threshold }, ['operation']),
      NOW,
    );
    assert.deepEqual(byLabel(samples, 'operation'), { 'GET /cart': 0.25, 'POST /pay': 1 });
  });

  it('log match count: severity and every search word, case-insensitive', async () => {
    const [declined] = await reader.read(
      'default',
      rule({ kind: 'log_count', service: 'payments', severity: 'error', search: 'card declined', window, threshold }),
      NOW,
    );
    assert.equal(declined!.value, 2);
    const bySeverity = await reader.read(
      'default',
      rule({ kind: 'log_count', service: 'payments', search: 'declined', window, threshold }, ['severity']),
      NOW,
    );
    assert.deepEqual(byLabel(bySeverity, 'severity'), { ERROR: 2, INFO: 1 });
  });

  it('absence counts spans, logs and live metric series', async () => {
    const count = async (c: Record<string, unknown>) =>
      (await reader.read('default', rule({ kind: 'absence', window, ...c }), NOW))[0]!.value;
    assert.equal(await count({ signal: 'spans', service: 'checkout' }), 10);
    assert.equal(await count({ signal: 'spans', service: 'gone' }), 0);
    assert.equal(await count({ signal: 'logs', service: 'payments' }), 4);
    assert.equal(await count({ signal: 'metric', metric: 'queue.depth' }), 1, 'only the series seen within the window');
    // The catalog's LastSeen is written once per SERIES_SEEN_BUCKET_MS (10 minutes): a series seen
    // 2 minutes ago is live for a 1-minute window too, one seen 30 minutes ago (above) is not.
    assert.equal(await count({ signal: 'metric', metric: 'queue.depth', window: '1m' }), 1);
  });

  it('query DTO conditions aggregate exactly the window, per-second measures over the window', async () => {
    const q = (query: Record<string, unknown>) =>
      reader.read('default', rule({ kind: 'metric_threshold', window, threshold, query }), NOW);
    const [count] = await q({
      signal: 'spans',
      measure: 'count',
      filters: [{ label: 'service', op: '=', value: 'checkout' }],
    });
    assert.equal(count!.value, 10, 'the spans of 20 minutes ago are outside the window');
    const [rate] = await q({
      signal: 'spans',
      measure: 'rate',
      filters: [{ label: 'service', op: '=', value: 'checkout' }],
    });
    assert.ok(Math.abs(rate!.value! - 10 / 300) < 1e-9, String(rate!.value));
    const byOperation = await q({
      signal: 'spans',
      measure: 'error_rate',
      filters: [{ label: 'service', op: '=', value: 'checkout' }],
      groupBy: ['operation'],
    });
    assert.deepEqual(byLabel(byOperation, 'operation'), { 'GET /cart': 0.25, 'POST /pay': 1 });
  });

  it('burn rate: the bad ratio of every window in one pass', async () => {
    const [sample] = await reader.read(
      'default',
      rule({ kind: 'slo_burn_rate', objective: 'availability', service: 'checkout', target: 0.99 }),
      NOW,
    );
    assert.equal(sample!.badRatios!.get(5 * MIN), 0.4);
    assert.equal(sample!.badRatios!.get(60 * MIN), 54 / 60);
    const [latency] = await reader.read(
      'default',
      rule({ kind: 'slo_burn_rate', objective: 'latency', latencyThresholdMs: 500, service: 'checkout', target: 0.99 }),
      NOW,
    );
    assert.equal(latency!.badRatios!.get(5 * MIN), 0.2);
  });

  it("latency burn rate is over the service's requests: its server spans, or its root spans where it has none", async () => {
    // search: 4 server spans, 2 of them slow, each with 10 fast internal children that are not requests.
    await insertSpans(s.ch, { service: 'search', name: 'GET /q', atMs: NOW - 4 * MIN, n: 2, durMs: 900 });
    await insertSpans(s.ch, { service: 'search', name: 'GET /q', atMs: NOW - 4 * MIN + 100, n: 2, durMs: 20 });
    await insertSpans(s.ch, {
      service: 'search',
      name: 'score',
      kind: 'SPAN_KIND_INTERNAL',
      parentHex: '0102030405060708',
      atMs: NOW - 4 * MIN,
      n: 40,
      durMs: 1,
    });
    // cron: only internal spans; its 3 roots (1 slow) are its requests, not their 30 children.
    await insertSpans(s.ch, {
      service: 'cron',
      name: 'job',
      kind: 'SPAN_KIND_INTERNAL',
      atMs: NOW - 4 * MIN,
      n: 1,
      durMs: 900,
    });
    await insertSpans(s.ch, {
      service: 'cron',
      name: 'job',
      kind: 'SPAN_KIND_INTERNAL',
      atMs: NOW - 4 * MIN + 100,
      n: 2,
      durMs: 20,
    });
    await insertSpans(s.ch, {
      service: 'cron',
      name: 'step',
      kind: 'SPAN_KIND_INTERNAL',
      parentHex: '0102030405060708',
      atMs: NOW - 4 * MIN,
      n: 30,
      durMs: 1,
    });
    const latency = (service: string, operation?: string) =>
      reader.read(
        'default',
        rule({
          kind: 'slo_burn_rate',
          objective: 'latency',
          latencyThresholdMs: 500,
          service,
          target: 0.99,
          ...(operation ? { operation } : {}),
        }),
        NOW,
      );
    assert.equal((await latency('search'))[0]!.badRatios!.get(5 * MIN), 0.5);
    assert.equal((await latency('cron'))[0]!.badRatios!.get(5 * MIN), 1 / 3);
    assert.equal(
      (await latency('search', 'score'))[0]!.badRatios!.get(5 * MIN),
      0,
      'an operation measures its own spans',
    );
  });
  it('reads under the query limits: past maxRowsToRead a 422 naming it, for raw rows, series and planned queries alike', async () => {
    const tight = new ClickHouseConditionReader(s.ch, createQueryReads(s.ch, { maxRowsToRead: 1 }));
    const conditions = [
      { kind: 'log_count', service: 'payments', search: 'declined', window, threshold },
      { kind: 'absence', signal: 'metric', metric: 'queue.depth', window },
      { kind: 'absence', signal: 'spans', service: 'checkout', window },
      { kind: 'slo_burn_rate', objective: 'latency', latencyThresholdMs: 500, service: 'checkout', target: 0.99 },
      { kind: 'span', measure: 'error_rate', service: 'checkout', window, threshold },
    ];
    for (const c of conditions) {
      await assert.rejects(
        tight.read('default', rule(c), NOW),
        isApiError(422, { limit: 'maxRowsToRead' }),
        `${c.kind} ${JSON.stringify(c)}`,
      );
    }
  });

  it('refuses a window longer than a search may read (a rule stored before the limit) without querying', async () => {
    const counted = counting(s.ch);
    const guarded = new ClickHouseConditionReader(counted.client, createQueryReads(counted.client));
    await assert.rejects(
      guarded.read('default', rule({ kind: 'log_count', service: 'payments', window: '3650d', threshold }), NOW),
      isApiError(400, { parameter: 'condition.window' }),
    );
    await assert.rejects(
      guarded.read(
        'default',
        rule({
          kind: 'slo_burn_rate',
          objective: 'availability',
          service: 'checkout',
          target: 0.99,
          windows: [{ long: '60d', short: '1h', factor: 1 }],
        }),
        NOW,
      ),
      isApiError(400, { parameter: 'condition.windows' }),
    );
    assert.equal(counted.queries, 0);
    assert.equal(
      (
        await guarded.read('default', rule({ kind: 'log_count', service: 'payments', window: '31d', threshold }), NOW)
      )[0]!.value,
      4,
      'up to 31 days',
    );
  });

  it('on the embedded engine, rule evaluations and previews run one query at a time between them', async () => {
    assert.equal(new ClickHouseConditionReader(s.ch, s.reads).concurrency, 1, 'the default on the embedded engine');
    const counted = counting(s.ch);
    const shared = new ClickHouseConditionReader(counted.client, createQueryReads(counted.client), { concurrency: 1 });
    const logs = rule({ kind: 'log_count', service: 'payments', window, threshold });
    const [preview] = await Promise.all([
      previewRule(shared, 'default', logs, NOW - 20 * MIN, NOW, { budgetMs: 300_000 }),
      ...Array.from({ length: 4 }, () => shared.read('default', logs, NOW)),
    ]);
    assert.equal(preview.evaluations, 20);
    assert.equal(counted.queries, 24);
    assert.equal(counted.maxInFlight, 1);
  });

  it('a preview stops once its reads took longer than its budget', async () => {
    let clock = 0;
    const now = () => (clock += 10_000);
    await assert.rejects(
      previewRule(
        reader,
        'default',
        rule({ kind: 'log_count', service: 'payments', window, threshold }),
        NOW - 20 * MIN,
        NOW,
        { budgetMs: 30_000, now },
      ),
      (e: unknown) =>
        e instanceof PreviewTooLargeError && /took longer than 30 s after \d+ of 20 evaluations/.test(e.message),
    );
  });
});
