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
import { API_KEY, freshDataDir, removeDir, startServer, type Started } from './helpers.js';

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
