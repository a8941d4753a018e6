// Prometheus remote write through JetStream (NATS_URL): the collector converts the WriteRequest
// to the OTLP metrics request it stands for and publishes that like any OTLP request, so the
// writers, Nats-Msg-Id deduplication and batch manifests are the OTLP ones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeWriteRequest } from '@telemetryflow/otlp';
import { compressSync } from 'snappy';
import { API_KEY, eventually, freshDataDir, removeDir, startServer, type Started } from './helpers.js';
import { natsServerMissing, TestNatsServer } from './nats-server.js';

const skip = natsServerMissing();
const dataDir = freshDataDir();
let nats: TestNatsServer | undefined;
let server: Started | undefined;

before(async () => {
  if (skip) return;
  nats = await TestNatsServer.start();
  server = await startServer(dataDir, { NATS_URL: nats.url, TF_NATS_ACK_WAIT_SECONDS: '5' });
});
after(async () => {
  await server?.running.close();
  await nats?.stop();
  removeDir(dataDir);
});

function push(body: Uint8Array | string) {
  return fetch(`${server!.running.otlpHttpUrl}/api/v1/push`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      authorization: `Bearer ${API_KEY}`,
    },
  });
}

async function stored(job: string): Promise<{ name: string; type: string; points: number }[]> {
  const rs = await server!.running.clickhouse.query({
    query: `SELECT s.MetricName AS name, s.MetricType AS type, count() AS points
            FROM (SELECT Fingerprint FROM metrics_gauge UNION ALL SELECT Fingerprint FROM metrics_sum) AS p
            INNER JOIN (SELECT Fingerprint, any(MetricName) AS MetricName, any(MetricType) AS MetricType
                        FROM metric_series WHERE Attributes['job'] = {job:String} GROUP BY Fingerprint) AS s
              ON s.Fingerprint = p.Fingerprint
            GROUP BY name, type ORDER BY name`,
    query_params: { job },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ name: string; type: string; points: string }>()).map((r) => ({
    ...r,
    points: Number(r.points),
  }));
}

test(
  'remote write through JetStream: stored after the writers, typed by metadata, a retry stored once',
  { skip },
  async () => {
    const now = Date.now();
    const body = compressSync(
      encodeWriteRequest({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'js_requests_total' },
              { name: 'job', value: 'js-rw' },
            ],
            samples: [
              { value: 1, timestamp: now - 2000 },
              { value: 3, timestamp: now - 1000 },
            ],
          },
          {
            labels: [
              { name: '__name__', value: 'js_temperature' },
              { name: 'job', value: 'js-rw' },
            ],
            samples: [{ value: 21.5, timestamp: now - 1000 }],
          },
        ],
        metadata: [{ type: 1, metricFamilyName: 'js_requests_total', help: 'Requests.' }],
      }),
    );
    const first = await push(body);
    assert.equal(first.status, 204, await first.text());
    const want = [
      { name: 'js_requests_total', type: 'sum', points: 2 },
      { name: 'js_temperature', type: 'gauge', points: 1 },
    ];
    await eventually(
      'the samples stored by the JetStream writers',
      async () => (JSON.stringify(await stored('js-rw')) === JSON.stringify(want) ? true : undefined),
      30_000,
    );
    // The same request again (a retry after a lost answer): JetStream's Nats-Msg-Id window drops it.
    assert.equal((await push(body)).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual(await stored('js-rw'), want);

    const bad = await push(compressSync(Buffer.from('no protobuf message here')));
    assert.equal(bad.status, 400);
  },
);
