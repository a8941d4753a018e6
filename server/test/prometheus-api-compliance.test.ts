// The Prometheus HTTP API of the all-in-one against a real Prometheus 2.42 holding the same data:
// the PromQL compliance suite's queries (prometheus/compliance, with its variants) and the calls
// Grafana's Prometheus data source makes, sent to both over HTTP. The data set (the promql
// package's demo service: counters with resets, a classic histogram, a target down for two
// minutes with staleness markers) reaches both by remote write, ending a minute ago.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { demoDataSet } from '@telemetryflow/promql/test-reference/demo-data';
import { complianceCases, type ComplianceCase } from '@telemetryflow/promql/test-reference/compliance-cases';
import { diffInstant, diffMatrices, type ApiSeries } from '@telemetryflow/promql/test-reference/comparer';
import { remoteWrite } from '@telemetryflow/promql/test-reference/remote-write';
import {
  prometheusApi,
  prometheusUnavailable,
  startPrometheus,
  type RunningPrometheus,
} from '@telemetryflow/promql/test-reference';
import { ClickHouseReader, ClickHouseSeriesSource, queryLimits, SeriesCatalog } from '@telemetryflow/query';
import { rangeQuery, successBody, type SeriesSource } from '@telemetryflow/promql';
import { API_KEY, eventually, freshDataDir, removeDir, startServer, type Started } from './helpers.js';

const skip = prometheusUnavailable('the Prometheus API compliance test');
const dataDir = freshDataDir();
let server: Started | undefined;
let prometheus: RunningPrometheus | undefined;

// The data ends a minute ago (TelemetryFlow refuses samples older than its retention); queries
// end 12 minutes before that at an odd millisecond, as the compliance tester's now-12m does.
const DATA_END = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const DATA_START = DATA_END - 2 * 3_600_000;
const QUERY_END = DATA_END - 12 * 60_000 + 437;
const QUERY_START = QUERY_END - 10 * 60_000;
const QUERY_STEP = 10_000;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

before(
  async () => {
    server = await startServer(dataDir, {
      TF_QUERY_CACHE_TTL_MS: '0',
      TF_RATE_LIMIT_HEAVY_PER_MINUTE: '100000',
      TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE: '100000',
      TF_ALERTING_POLL_MS: '200',
    });
    if (skip) return;
    prometheus = await startPrometheus();
    const data = demoDataSet(DATA_START, DATA_END);
    await remoteWrite(`${prometheus.url}/api/v1/write`, data.series, DATA_START, DATA_END);
    await remoteWrite(`${server.running.otlpHttpUrl}/api/v1/push`, data.series, DATA_START, DATA_END, {
      Authorization: `Bearer ${API_KEY}`,
    });
  },
  { timeout: 240_000 },
);

after(async () => {
  await prometheus?.stop();
  await server?.running.close();
  removeDir(dataDir);
});

/** One call to TelemetryFlow's Prometheus API, as Grafana makes it (Basic auth with the key as password). */
async function tf(path: string, params: Record<string, string | string[]>, method: 'GET' | 'POST' = 'GET') {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) body.append(k, x);
  const auth = `Basic ${Buffer.from(`grafana:${API_KEY}`).toString('base64')}`;
  const url = `${server!.running.apiUrl}/prometheus${path}`;
  const res =
    method === 'GET'
      ? await fetch(`${url}?${body}`, { headers: { authorization: auth } })
      : await fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
  return { status: res.status, body: await res.text() };
}

interface Outcome {
  query: string;
  passed: boolean;
  detail: string;
  /** Prometheus answered with at least one series or sample. */
  hasData?: boolean;
}

async function compare(c: ComplianceCase, kind: 'range' | 'instant'): Promise<Outcome> {
  const params: Record<string, string> =
    kind === 'range'
      ? { query: c.query, start: seconds(QUERY_START), end: seconds(QUERY_END), step: String(QUERY_STEP / 1000) }
      : { query: c.query, time: seconds(QUERY_END) };
  const path = kind === 'range' ? '/api/v1/query_range' : '/api/v1/query';
  const [ref, ours] = await Promise.all([prometheusApi(prometheus!.url, path, params), tf(path, params, 'POST')]);
  const outcome = (passed: boolean, detail = '') => ({ query: c.query, passed, detail });
  if (ref.status !== 200 || ours.status !== 200) {
    if (ref.status === ours.status) return outcome(true);
    return outcome(false, `status ${ours.status} (Prometheus ${ref.status}): ${ours.body.slice(0, 300)}`);
  }
  if (c.skipComparison) return outcome(true);
  const expected = (JSON.parse(ref.body) as { data: { resultType: string; result: unknown } }).data;
  const actual = (JSON.parse(ours.body) as { data: { resultType: string; result: unknown } }).data;
  const diff =
    kind === 'range'
      ? diffMatrices(expected.result as ApiSeries[], actual.result as ApiSeries[])
      : diffInstant(expected, actual);
  const hasData = !Array.isArray(expected.result) || expected.result.length > 0;
  return { ...outcome(diff === null, diff ?? ''), hasData };
}

async function runAll(kind: 'range' | 'instant', t: { diagnostic(m: string): void }) {
  const cases = complianceCases();
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await compare(c, kind));
  const passed = outcomes.filter((o) => o.passed).length;
  // Equal answers prove something only where there was data to answer with.
  assert.ok(outcomes.filter((o) => o.passed && o.hasData).length > 0.8 * outcomes.length, 'most answers hold data');
  t.diagnostic(`${kind}: ${passed} / ${outcomes.length} identical (${((100 * passed) / outcomes.length).toFixed(2)}%)`);
  for (const f of outcomes.filter((o) => !o.passed)) t.diagnostic(`differs: ${f.query} — ${f.detail.slice(0, 300)}`);
  return { passed, total: outcomes.length };
}

describe('PromQL compliance through the API', { skip }, () => {
  test('range queries: ≥ 95% of the suite equal to Prometheus 2.42', { timeout: 600_000 }, async (t) => {
    const { passed, total } = await runAll('range', t);
    assert.ok(total > 450, `the suite has ${total} queries`);
    assert.ok(passed / total >= 0.95, `${passed} / ${total}`);
  });

  test('instant queries: ≥ 95% of the suite equal to Prometheus 2.42', { timeout: 600_000 }, async (t) => {
    const { passed, total } = await runAll('instant', t);
    assert.ok(passed / total >= 0.95, `${passed} / ${total}`);
  });
});

/** Both answers to the same call, bodies parsed. */
async function both(path: string, params: Record<string, string | string[]>, method: 'GET' | 'POST' = 'GET') {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) query.append(k, x);
  const refRes = await fetch(`${prometheus!.url}${path}?${query}`);
  const ref = { status: refRes.status, body: await refRes.text() };
  const ours = await tf(path, params, method);
  return { ref, ours };
}

describe('aggregations pushed down to ClickHouse', { skip }, () => {
  test('equal the engine over raw samples (counter resets, staleness, offsets, without; rate alone too)', async () => {
    const ch = new ClickHouseReader(server!.running.clickhouse, queryLimits());
    const source = new ClickHouseSeriesSource(ch, new SeriesCatalog(ch, 10_000), 'default', { maxSeries: 100_000 });
    let pushed = 0;
    const counting: SeriesSource = {
      select: (r, s) => source.select(r, s),
      evaluateAggregation: async (r, s) => {
        const answer = await source.evaluateAggregation(r, s);
        if (answer) pushed++;
        return answer;
      },
      evaluateRangeFunction: async (r, s) => {
        const answer = await source.evaluateRangeFunction(r, s);
        if (answer) pushed++;
        return answer;
      },
    };
    const rawOnly: SeriesSource = { select: (r, s) => source.select(r, s) };
    const queries = [
      'sum by (instance) (rate(demo_cpu_usage_seconds_total[1m]))',
      'sum without (mode) (increase(demo_cpu_usage_seconds_total[5m] offset 2m))',
      'max(rate(demo_api_request_duration_seconds_count[3m]))',
      'avg by (job) (rate(demo_cpu_usage_seconds_total{mode=~"user|system"}[45s]))',
      'count by (mode) (rate(demo_cpu_usage_seconds_total[2m]))',
      'min by (instance) (rate(demo_num_cpus[5m]))',
      'group by (instance) (rate(demo_intermittent_metric[1m]))',
      'rate(demo_cpu_usage_seconds_total[1m])',
      'increase(demo_api_request_duration_seconds_bucket{le="0.25"}[5m] offset 1m)',
      'histogram_quantile(0.9, rate(demo_api_request_duration_seconds_bucket[5m]))',
    ];
    for (const q of queries) {
      // Steps shorter and longer than the ranges (the latter read only the samples in some window).
      for (const step of [10_000, 60_000, 420_000]) {
        const before = pushed;
        const a = successBody(await rangeQuery(counting, q, QUERY_START - 3_600_000, QUERY_END, step));
        assert.equal(pushed, before + 1, `${q} was pushed down`);
        const b = successBody(await rangeQuery(rawOnly, q, QUERY_START - 3_600_000, QUERY_END, step));
        const diff = diffMatrices(
          (JSON.parse(b) as { data: { result: ApiSeries[] } }).data.result,
          (JSON.parse(a) as { data: { result: ApiSeries[] } }).data.result,
        );
        assert.equal(diff, null, `${q} at ${step} ms`);
        assert.ok((JSON.parse(a) as { data: { result: unknown[] } }).data.result.length > 0, q);
      }
    }
  });
});

describe("Grafana's calls answer as Prometheus answers them", { skip }, () => {
  const range = { start: seconds(DATA_START), end: seconds(DATA_END) };

  test('status/buildinfo: the same fields, a 2.x version', async () => {
    const { ref, ours } = await both('/api/v1/status/buildinfo', {});
    assert.equal(ours.status, 200);
    const r = JSON.parse(ref.body) as { status: string; data: Record<string, string> };
    const o = JSON.parse(ours.body) as { status: string; data: Record<string, string> };
    assert.deepEqual(Object.keys(o.data).sort(), Object.keys(r.data).sort());
    assert.equal(o.status, 'success');
    assert.match(o.data.version!, /^2\.42\./);
  });

  test('labels and label/__name__/values, label/job/values: the same lists, GET and POST', async () => {
    for (const path of ['/api/v1/labels', '/api/v1/label/__name__/values', '/api/v1/label/instance/values']) {
      const { ref, ours } = await both(path, range);
      assert.equal(ours.status, 200, ours.body);
      assert.equal(ours.body, ref.body, path);
    }
    const post = await tf('/api/v1/labels', range, 'POST');
    assert.equal(post.body, (await both('/api/v1/labels', range)).ref.body);
    // With match[]: only the labels of the chosen series.
    const matched = await both('/api/v1/labels', { ...range, 'match[]': 'demo_memory_usage_bytes' });
    assert.equal(matched.ours.body, matched.ref.body);
    assert.ok(JSON.parse(matched.ours.body).data.includes('type'));
  });

  test('series with match[]: the same series, histogram buckets included', async () => {
    for (const match of [
      ['demo_api_request_duration_seconds_bucket{le="0.25"}'],
      ['demo_cpu_usage_seconds_total', 'demo_num_cpus{instance=~".*:10001"}'],
      ['{__name__=~"demo_batch.*"}'],
    ]) {
      const { ref, ours } = await both('/api/v1/series', { ...range, 'match[]': match }, 'POST');
      assert.equal(ours.status, 200, ours.body);
      const sorted = (body: string) =>
        (JSON.parse(body) as { data: Record<string, string>[] }).data.map((s) => JSON.stringify(s)).sort();
      assert.deepEqual(sorted(ours.body), sorted(ref.body), match.join(' '));
      assert.ok(sorted(ours.body).length > 0);
    }
    const missing = await both('/api/v1/series', range);
    assert.equal(missing.ours.status, 400);
    assert.equal(missing.ours.body, missing.ref.body);
  });

  test('query_range at a Grafana-aligned step: the same matrix, byte for byte', async () => {
    const step = 60;
    const start = Math.floor((DATA_END - 3_600_000) / 1000 / step) * step;
    const end = Math.floor(DATA_END / 1000 / step) * step;
    for (const query of [
      'sum by (job) (rate(demo_cpu_usage_seconds_total[5m]))',
      'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
      'demo_memory_usage_bytes{type="buffers"}',
    ]) {
      const { ref, ours } = await both('/api/v1/query_range', {
        query,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      assert.equal(ours.status, 200, ours.body);
      const diff = diffMatrices(
        (JSON.parse(ref.body) as { data: { result: ApiSeries[] } }).data.result,
        (JSON.parse(ours.body) as { data: { result: ApiSeries[] } }).data.result,
      );
      assert.equal(diff, null, query);
    }
  });

  test('query_exemplars: the same answer (remote-written series carry none)', async () => {
    const { ref, ours } = await both('/api/v1/query_exemplars', {
      query: 'demo_api_request_duration_seconds_bucket',
      ...range,
    });
    assert.equal(ours.status, 200);
    assert.equal(ours.body, ref.body);
  });

  test('errors: the same status, errorType and message', async () => {
    for (const [path, params] of [
      ['/api/v1/query', { query: 'sum(rate(x[5m])' }],
      ['/api/v1/query_range', { query: 'up', start: 'yesterday', end: '1', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '10', end: '1', step: '1' }],
      ['/api/v1/query_range', { query: 'up', start: '1', end: '100000', step: '0' }],
      ['/api/v1/query_range', { query: 'up', start: '0', end: '100000', step: '1' }],
      ['/api/v1/query_range', { query: 'rate(up)', start: '0', end: '10', step: '1' }],
      ['/api/v1/label/a-b/values', {}],
    ] as const) {
      const { ref, ours } = await both(path, params);
      assert.equal(ours.status, ref.status, `${path} ${JSON.stringify(params)}: ${ours.body}`);
      assert.equal(ours.body, ref.body, `${path} ${JSON.stringify(params)}`);
    }
  });
});

describe('OTLP metrics under their Prometheus names', { skip }, () => {
  const now = Date.now();
  const ns = (ms: number) => `${ms}000000`;
  const traceId = '5b8efff798038103d269b633813fc60c';
  const spanId = 'eee19b7ec3c1b174';

  before(async () => {
    const resource = {
      attributes: [
        { key: 'service.name', value: { stringValue: 'checkout' } },
        { key: 'service.namespace', value: { stringValue: 'shop' } },
        { key: 'service.instance.id', value: { stringValue: 'i-1' } },
        { key: 'deployment.environment', value: { stringValue: 'prod' } },
      ],
    };
    const attributes = [{ key: 'http.request.method', value: { stringValue: 'GET' } }];
    const body = {
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              scope: { name: 'app', version: '1.0' },
              metrics: [
                {
                  name: 'http.server.request.duration',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        attributes,
                        startTimeUnixNano: ns(now - 120_000),
                        timeUnixNano: ns(now - 60_000),
                        count: '6',
                        sum: 2,
                        explicitBounds: [0.1, 0.5],
                        bucketCounts: ['1', '2', '3'],
                        exemplars: [{ timeUnixNano: ns(now - 61_000), asDouble: 0.3, traceId, spanId }],
                      },
                    ],
                  },
                },
                {
                  name: 'app.jobs',
                  unit: '{job}',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [{ attributes, timeUnixNano: ns(now - 60_000), asInt: '42' }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${server!.running.otlpHttpUrl}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
  });

  const labels = {
    job: 'shop/checkout',
    instance: 'i-1',
    http_request_method: 'GET',
    otel_scope_name: 'app',
    otel_scope_version: '1.0',
  };

  test('a histogram is _bucket{le}, _sum and _count; a counter gets _total; resource attributes go to target_info', async () => {
    const window = { start: seconds(now - 600_000), end: seconds(now) };
    const series = await tf('/api/v1/series', {
      ...window,
      'match[]': ['{__name__=~"http_server_request_duration_seconds.*"}', 'app_jobs_total', 'target_info'],
    });
    assert.equal(series.status, 200, series.body);
    const found = (JSON.parse(series.body) as { data: Record<string, string>[] }).data;
    const sorted = (list: Record<string, string>[]) => list.map((s) => JSON.stringify(Object.entries(s).sort())).sort();
    assert.deepEqual(
      sorted(found),
      sorted([
        { __name__: 'app_jobs_total', ...labels },
        { __name__: 'http_server_request_duration_seconds_bucket', ...labels, le: '+Inf' },
        { __name__: 'http_server_request_duration_seconds_bucket', ...labels, le: '0.1' },
        { __name__: 'http_server_request_duration_seconds_bucket', ...labels, le: '0.5' },
        { __name__: 'http_server_request_duration_seconds_count', ...labels },
        { __name__: 'http_server_request_duration_seconds_sum', ...labels },
        { __name__: 'target_info', job: 'shop/checkout', instance: 'i-1', deployment_environment: 'prod' },
      ]),
    );
  });

  test('PromQL over them: histogram_quantile over the buckets, the counter, a join with target_info', async () => {
    const at = { time: seconds(now - 30_000) };
    const value = async (query: string) => {
      const r = await tf('/api/v1/query', { ...at, query });
      assert.equal(r.status, 200, r.body);
      const result = (
        JSON.parse(r.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      ).data.result;
      return result;
    };
    // Cumulative buckets 1 (≤ 0.1), 3 (≤ 0.5), 6 (+Inf): the median (rank 3) is the 0.5 bound.
    assert.equal(
      (await value('histogram_quantile(0.5, http_server_request_duration_seconds_bucket)'))[0]!.value[1],
      '0.5',
    );
    assert.equal((await value('app_jobs_total'))[0]!.value[1], '42');
    const joined = await value('app_jobs_total * on (job, instance) group_left (deployment_environment) target_info');
    assert.equal(joined[0]!.metric.deployment_environment, 'prod');
    assert.equal(joined[0]!.value[1], '42');
  });

  test('a PromQL alert rule fires per series with its labels and value', async () => {
    const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${server!.running.apiUrl}/api/v1/alert-rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'jobs-backlog',
        condition: { kind: 'promql', query: 'app_jobs_total > 40' },
        interval: '1s',
      }),
    });
    assert.equal(created.status, 201, await created.text());
    const bad = await fetch(`${server!.running.apiUrl}/api/v1/alert-rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'broken', condition: { kind: 'promql', query: 'sum(rate(x[5m])' } }),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /unclosed left parenthesis/);
    const alert = await eventually(
      'the PromQL rule fires',
      async () => {
        const res = await fetch(`${server!.running.apiUrl}/api/v1/alerts`, { headers: auth });
        const body = (await res.json()) as {
          data: { ruleName: string; state: string; labels: Record<string, string>; value: number | null }[];
        };
        return body.data.find((a) => a.ruleName === 'jobs-backlog' && a.state === 'firing');
      },
      20_000,
    );
    assert.equal(alert.labels.job, 'shop/checkout');
    assert.equal(alert.labels.instance, 'i-1');
    assert.equal(alert.value, 42);
  });

  test('query_exemplars: the OTLP exemplar with its trace and span id', async () => {
    const r = await tf('/api/v1/query_exemplars', {
      query: 'http_server_request_duration_seconds_bucket',
      start: seconds(now - 600_000),
      end: seconds(now),
    });
    assert.equal(r.status, 200, r.body);
    const data = (
      JSON.parse(r.body) as {
        data: {
          seriesLabels: Record<string, string>;
          exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
        }[];
      }
    ).data;
    assert.equal(data.length, 1);
    assert.equal(data[0]!.seriesLabels.__name__, 'http_server_request_duration_seconds_bucket');
    assert.deepEqual(data[0]!.exemplars, [
      { labels: { trace_id: traceId, span_id: spanId }, value: '0.3', timestamp: (now - 61_000) / 1000 },
    ]);
  });
});
