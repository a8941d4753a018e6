// The all-in-one with NATS_URL: the same process publishes to JetStream and writes from it;
// real OTel SDK exporters on every transport read back exactly what they sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  API_KEY,
  assertSignals,
  buildSignals,
  eventually,
  exportSignals,
  freshDataDir,
  removeDir,
  startServer,
  TRANSPORTS,
  type Started,
} from './helpers.js';
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

for (const transport of TRANSPORTS) {
  test(
    `all-in-one through JetStream, OTLP ${transport}: traces, logs and metrics read back as sent`,
    { skip },
    async () => {
      const { running } = server!;
      const sent = await buildSignals(`js-${transport}`, `js.${transport}`);
      await exportSignals(running, transport, API_KEY, sent);
      // Acked at PubAck: the writers store it a moment later.
      await eventually(
        'the signals stored',
        async () => {
          await assertSignals(running.apiUrl, API_KEY, sent);
          return true;
        },
        30_000,
      );
    },
  );
}

test('the all-in-one reports JetStream and API figures at /metrics', { skip }, async () => {
  const text = await (await fetch(`${server!.running.metricsUrl}/metrics`)).text();
  assert.match(text, /^tf_jetstream_publish_seconds_count\{signal="traces"\} [1-9]/m);
  assert.match(text, /^tf_ingest_batch_rows_count\{signal="logs"\} [1-9]/m);
  assert.match(text, /^tf_otlp_items_accepted_total\{signal="metrics",tenant="default"\} [1-9]/m);
  assert.match(text, /^tf_ingest_consumer_pending_messages\{signal="traces"\} \d+/m);
  // API requests by route pattern, never by id.
  assert.match(
    text,
    /^tf_query_request_seconds_count\{method="GET",route="\/api\/v1\/traces\/:traceId",status="200"\} [1-9]/m,
  );
  assert.doesNotMatch(text, /route="\/api\/v1\/traces\/[0-9a-f]{32}"/);
});
