// Live tail with NATS_URL: the API follows the collectors' subjects on core NATS, so items
// show up once they are published to JetStream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LogDto } from '@telemetryflow/contract';
import { API_KEY, eventually, freshDataDir, removeDir, startServer, type Started } from './helpers.js';
import { connectLive, otlpLogs, postOtlp, type LiveClient } from './live-rig.js';
import { natsServerMissing, TestNatsServer } from './nats-server.js';

const skip = natsServerMissing();
const dataDir = freshDataDir('tf-live-js-');
let nats: TestNatsServer | undefined;
let server: Started | undefined;
let client: LiveClient | undefined;

before(async () => {
  if (skip) return;
  nats = await TestNatsServer.start();
  server = await startServer(dataDir, { NATS_URL: nats.url });
});

after(async () => {
  client?.close();
  await server?.running.close();
  await nats?.stop();
  removeDir(dataDir);
});

test('through JetStream, matching logs are pushed once published, each once; others are not', { skip }, async () => {
  const { running } = server!;
  client = await connectLive(running.apiUrl, API_KEY);
  const sub = await client.subscribe({ signal: 'logs', filter: { service: 'js-live', minSeverity: 'ERROR' } });
  await postOtlp(
    running.otlpHttpUrl,
    API_KEY,
    '/v1/logs',
    otlpLogs([
      { service: 'js-live', body: 'queue overflow', severityNumber: 17 },
      { service: 'js-live', body: 'all good', severityNumber: 9 },
    ]),
  );
  const acked = Date.now();
  const bodies = () =>
    client!.deliveries
      .filter((d) => d.subscription === sub)
      .flatMap((d) => (d.items as LogDto[]).map((l) => (l.body as { stringValue: string }).stringValue));
  await eventually('the error log', async () => (bodies().length > 0 ? true : undefined), 5000);
  // A safety bound, not a speed claim: the API follows the subject the collector published to.
  assert.ok(Math.max(...client.deliveries.map((d) => d.at)) - acked <= 2000);
  // Instead of a quiet period: the collector publishes in order on one connection and the feed
  // decodes in order, so once a marker posted afterwards arrived, any repeat or mismatch would have too.
  const marker = 'marker: every earlier item was delivered';
  await postOtlp(
    running.otlpHttpUrl,
    API_KEY,
    '/v1/logs',
    otlpLogs([{ service: 'js-live', body: marker, severityNumber: 17 }]),
  );
  await eventually('the marker', async () => (bodies().includes(marker) ? true : undefined), 5000);
  assert.deepEqual(
    bodies().filter((b) => b !== marker),
    ['queue overflow'],
  );
});
