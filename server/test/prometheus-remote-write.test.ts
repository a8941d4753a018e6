// Prometheus remote write 1.0 into the all-in-one, against a real Prometheus 2.42: it scrapes an
// exporter the test serves and remote-writes to TelemetryFlow; every series' samples (count,
// times and values) stored in TelemetryFlow equal those in Prometheus' own TSDB. Then what a
// hand-made client sees: bad input, retries, metadata types, out-of-order samples.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { encodeWriteRequest, PROMETHEUS_SCOPE } from '@telemetryflow/otlp';
import { compressSync } from 'snappy';
import { API_KEY, eventually, freshDataDir, listMetrics, removeDir, startServer, type Started } from './helpers.js';
import {
  prometheusSamples,
  prometheusSelfMetric,
  prometheusUnavailable,
  startExporter,
  startScrapingPrometheus,
  type RunningPrometheus,
  type SeriesSamples,
  type TestExporter,
} from './prometheus-scraper.js';

const skip = prometheusUnavailable('the remote-write reference test');
const JOB = 'rw-exporter';
const dataDir = freshDataDir();
let server: Started | undefined;
let exporter: TestExporter | undefined;
let prometheus: RunningPrometheus | undefined;
let startedMs = 0;

before(async () => {
  // Reads go to ClickHouse every time: a cached answer would hide a duplicate.
  server = await startServer(dataDir, { TF_QUERY_CACHE_TTL_MS: '0' });
  if (skip) return;
  startedMs = Date.now();
  exporter = await startExporter();
  const base = server.running.otlpHttpUrl;
  prometheus = await startScrapingPrometheus(JOB, exporter.target, [
    { url: `${base}/api/v1/push`, name: 'telemetryflow', password: API_KEY },
    // Refused (401): Prometheus must give those samples up, not retry them.
    { url: `${base}/api/v1/write`, name: 'bad-key', password: 'tf_not_a_key' },
  ]);
});
after(async () => {
  await prometheus?.stop();
  await exporter?.close();
  await server?.running.close();
  removeDir(dataDir);
});

const seriesKey = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function byKey(series: SeriesSamples[]): Map<string, [number, number][]> {
  return new Map(series.map((s) => [seriesKey(s.labels), [...s.samples].sort((a, b) => a[0] - b[0])]));
}

/** Every stored sample of remote-written series with label job=`job` up to `atMs`, read from ClickHouse. */
async function telemetryFlowSamples(clickhouse: ClickHouseClient, job: string, atMs: number): Promise<SeriesSamples[]> {
  const rs = await clickhouse.query({
    query: `
      SELECT s.series_name AS name, s.series_attributes AS attributes, groupArray((p.t, p.v)) AS samples
      FROM (
        SELECT Fingerprint, toUnixTimestamp64Milli(Time) AS t, Value AS v FROM metrics_gauge
        WHERE Time <= fromUnixTimestamp64Milli({at:Int64})
        UNION ALL
        SELECT Fingerprint, toUnixTimestamp64Milli(Time) AS t, Value AS v FROM metrics_sum
        WHERE Time <= fromUnixTimestamp64Milli({at:Int64})
      ) AS p
      INNER JOIN (
        SELECT Fingerprint, any(MetricName) AS series_name, any(Attributes) AS series_attributes FROM metric_series
        WHERE ScopeName = {scope:String} AND Attributes['job'] = {job:String}
        GROUP BY Fingerprint
      ) AS s ON s.Fingerprint = p.Fingerprint
      GROUP BY name, attributes`,
    query_params: { at: atMs, scope: PROMETHEUS_SCOPE, job },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ name: string; attributes: Record<string, string>; samples: [string, number][] }>();
  return rows.map((r) => ({
    labels: { __name__: r.name, ...r.attributes },
    samples: r.samples.map(([t, v]): [number, number] => [Number(t), Number(v)]),
  }));
}

test(
  'a real Prometheus remote-writes what it scrapes: every series, sample count, time and value equal its own TSDB',
  { skip, timeout: 120_000 },
  async (t) => {
    const { running } = server!;
    await eventually('eight scrapes', async () => (exporter!.scrapes >= 8 ? true : undefined), 30_000);
    // Scrapes at or before this moment are committed in Prometheus' TSDB.
    const atMs = Date.now() - 3_000;
    const windowMs = atMs - startedMs + 10_000;
    const reference = byKey(await prometheusSamples(prometheus!.url, `{job="${JOB}"}`, atMs, windowMs));
    // The exporter's series and the scrape's own (up, scrape_duration_seconds, …).
    assert.ok(reference.size >= 12, `Prometheus holds ${reference.size} series`);
    for (const name of [
      'rw_test_temperature_celsius',
      'rw_test_requests_total',
      'rw_test_latency_seconds_bucket',
      'up',
    ])
      assert.ok(
        [...reference.keys()].some((k) => k.includes(`"${name}"`)),
        `${name} scraped`,
      );
    const total = [...reference.values()].reduce((n, s) => n + s.length, 0);
    for (const [key, samples] of reference) assert.ok(samples.length >= 3, `${samples.length} samples of ${key}`);

    // Remote write runs behind the scrapes: wait until TelemetryFlow holds as many samples.
    const stored = await eventually(
      'the remote-written samples stored',
      async () => {
        const got = byKey(await telemetryFlowSamples(running.clickhouse, JOB, atMs));
        const count = [...got.values()].reduce((n, s) => n + s.length, 0);
        return count >= total ? got : undefined;
      },
      60_000,
    );
    assert.deepEqual([...stored.keys()].sort(), [...reference.keys()].sort(), 'the same series, labels as written');
    for (const [key, samples] of reference) assert.deepEqual(stored.get(key), samples, `samples of ${key}`);
    t.diagnostic(`${reference.size} series, ${total} samples: equal in Prometheus' TSDB and in TelemetryFlow`);

    // The catalog lists them (a sample request carries no metadata in Prometheus 2.42: gauges).
    const catalog = await listMetrics(running.apiUrl, API_KEY, startedMs - 60_000, Date.now() + 60_000);
    for (const name of ['rw_test_temperature_celsius', 'rw_test_requests_total', 'rw_test_latency_seconds_sum', 'up'])
      assert.ok(
        catalog.some((m) => m.name === name),
        `${name} in the catalog: ${JSON.stringify(catalog)}`,
      );
    t.diagnostic(`catalog: ${catalog.map((m) => `${m.name}:${m.type}`).join(' ')}`);

    // The queue with the wrong key: refused with 401, given up at once, never retried.
    await eventually(
      'the refused queue to give up samples',
      async () =>
        (await prometheusSelfMetric(
          prometheus!.url,
          'prometheus_remote_storage_samples_failed_total',
          'remote_name="bad-key"',
        )) > 0
          ? true
          : undefined,
      30_000,
    );
    assert.equal(
      await prometheusSelfMetric(
        prometheus!.url,
        'prometheus_remote_storage_samples_retried_total',
        'remote_name="bad-key"',
      ),
      0,
    );
    assert.equal(
      await prometheusSelfMetric(
        prometheus!.url,
        'prometheus_remote_storage_samples_failed_total',
        'remote_name="telemetryflow"',
      ),
      0,
    );
  },
);

// ---------------------------------------------------------------------------------------
// A hand-made remote-write client

const COUNTER = 1;
const GAUGE = 2;

function push(body: Uint8Array | string, headers: Record<string, string> = {}, path = '/api/v1/push') {
  return fetch(`${server!.running.otlpHttpUrl}${path}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      authorization: `Bearer ${API_KEY}`,
      ...headers,
    },
  });
}

function writeRequest(job: string, timestamps: number[], metadata = true): Uint8Array {
  return encodeWriteRequest({
    timeseries: [
      {
        labels: [
          { name: '__name__', value: 'hand_requests_total' },
          { name: 'instance', value: 'a:1' },
          { name: 'job', value: job },
        ],
        samples: timestamps.map((timestamp, i) => ({ value: 10 + i, timestamp })),
      },
      {
        labels: [
          { name: '__name__', value: 'hand_queue_depth' },
          { name: 'job', value: job },
        ],
        samples: timestamps.map((timestamp, i) => ({ value: i / 2, timestamp })),
      },
    ],
    metadata: metadata
      ? [
          { type: COUNTER, metricFamilyName: 'hand_requests_total', help: 'Requests.' },
          { type: GAUGE, metricFamilyName: 'hand_queue_depth', help: 'Depth.', unit: 'items' },
        ]
      : [],
  });
}

async function storedSamples(job: string): Promise<number> {
  return (await telemetryFlowSamples(server!.running.clickhouse, job, Date.now() + 3_600_000)).reduce(
    (n, s) => n + s.samples.length,
    0,
  );
}

test('bad input is refused with a 4xx other than 429 (never retried by Prometheus) and stores nothing', async () => {
  const good = compressSync(writeRequest('bad-input', [Date.now()]));
  const cases: [string, Response, number][] = [
    ['not snappy', await push(Buffer.from('definitely not snappy')), 400],
    ['snappy of no protobuf', await push(compressSync(Buffer.from('no protobuf message here'))), 400],
    ['no credentials', await push(good, { authorization: '' }), 401],
    ['unknown key as Bearer', await push(good, { authorization: 'Bearer tf_unknown' }), 401],
    [
      'unknown key as Basic password',
      await push(good, { authorization: `Basic ${Buffer.from('p:tf_unknown').toString('base64')}` }),
      401,
    ],
    [
      'remote write 2.0',
      await push(good, { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' }),
      415,
    ],
  ];
  for (const [what, res, status] of cases) {
    assert.equal(res.status, status, `${what}: ${await res.text()}`);
    assert.equal(res.headers.get('retry-after'), null, what);
  }
  assert.equal(await storedSamples('bad-input'), 0);
});

test('a retried request is stored once (the request ledger, ADR 0017); Basic auth takes the key as password', async () => {
  const now = Date.now();
  const body = compressSync(writeRequest('retried', [now - 2000, now - 1000]));
  assert.equal((await push(body)).status, 204);
  const basic = `Basic ${Buffer.from(`prometheus:${API_KEY}`).toString('base64')}`;
  assert.equal((await push(body, { authorization: basic }, '/api/v1/write')).status, 204);
  assert.equal(await storedSamples('retried'), 4);
});

test('metadata in the request types the series: counter → cumulative monotonic sum, gauge → gauge', async () => {
  const now = Date.now();
  assert.equal((await push(compressSync(writeRequest('typed', [now])))).status, 204);
  const rs = await server!.running.clickhouse.query({
    query: `SELECT MetricName AS name, any(MetricType) AS type, any(Temporality) AS temporality,
              any(IsMonotonic) AS monotonic, any(Unit) AS unit, any(Description) AS help
            FROM metric_series WHERE Attributes['job'] = 'typed' GROUP BY name ORDER BY name`,
    format: 'JSONEachRow',
  });
  assert.deepEqual(await rs.json(), [
    { name: 'hand_queue_depth', type: 'gauge', temporality: 0, monotonic: false, unit: 'items', help: 'Depth.' },
    { name: 'hand_requests_total', type: 'sum', temporality: 2, monotonic: true, unit: '', help: 'Requests.' },
  ]);
  const catalog = await listMetrics(server!.running.apiUrl, API_KEY, now - 60_000, now + 60_000);
  assert.deepEqual(
    catalog.filter((m) => m.name.startsWith('hand_')).map((m) => [m.name, m.type]),
    [
      ['hand_queue_depth', 'gauge'],
      ['hand_requests_total', 'sum'],
    ],
  );
});

test('out-of-order and backfilled samples within retention are stored', async () => {
  const now = Date.now();
  const hour = 3_600_000;
  assert.equal((await push(compressSync(writeRequest('ooo', [now])))).status, 204);
  assert.equal((await push(compressSync(writeRequest('ooo', [now - 2 * hour, now - 26 * hour])))).status, 204);
  assert.equal(await storedSamples('ooo'), 6);
  // Before 1970 can never be stored: 400 (not retried), and nothing of the request is lost silently.
  const res = await push(compressSync(writeRequest('ooo', [-5000])));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /2 sample\(s\) not stored/);
});
