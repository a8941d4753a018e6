// OTLP/gRPC into the all-in-one in JetStream mode while JetStream cannot take the data:
// nats-server killed and restarted, and the stream full (TF_NATS_MAX_BYTES) while the
// writers cannot drain it. Exports answer UNAVAILABLE with google.rpc.RetryInfo, /ready
// follows NATS, the process stays up, everything acknowledged reads back exactly once, and
// the process can still be stopped while NATS is down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { status as GrpcCode, type Client } from '@grpc/grpc-js';
import {
  connectBus,
  DEFAULT_JETSTREAM_SETTINGS,
  listDeadLetters,
  writerConsumerName,
  type BusConnection,
} from '@telemetryflow/bus';
import { acceptInserts, refuseInserts } from './clickhouse-faults.js';
import { API_KEY, eventually, freshDataDir, getTrace, removeDir, startServer, type Started } from './helpers.js';
import { itemTraceId, request } from './jetstream-rig.js';
import { natsServerMissing, TestNatsServer } from './nats-server.js';
import { grpcExport, grpcExportWithRetry, otlpGrpcClient, type GrpcReply } from './otlp-grpc-client.js';

const skip = natsServerMissing();
const dataDir = freshDataDir();
let nats: TestNatsServer | undefined;
let server: Started | undefined;
/** The test's own view of JetStream (consumer lag, dead letters). */
let observer: BusConnection | undefined;
let client: Client | undefined;

before(async () => {
  if (skip) return;
  nats = await TestNatsServer.start();
  server = await startServer(dataDir, {
    NATS_URL: nats.url,
    TF_NATS_ACK_WAIT_SECONDS: '5',
    TF_NATS_MAX_BYTES: String(1024 * 1024),
  });
  observer = await connectBus(nats.url, 'test-observer');
  client = otlpGrpcClient(server.running.otlpGrpcAddress);
});

after(async () => {
  client?.close();
  await observer?.close();
  await server?.running.close();
  await nats?.stop();
  removeDir(dataDir);
});

async function status(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/** Request r of a range: `perRequest` spans (each a trace of its own), item numbers from `first`. */
function rangeRequest(first: number, perRequest: number, r: number, pad = 0): Buffer {
  return request('traces', first + r * perRequest, perRequest, pad);
}

/** Exports requests [0, requests) of a range with a client that retries as RetryInfo says; returns its refusals. */
async function sendRange(
  first: number,
  requests: number,
  perRequest: number,
  refusals: GrpcReply[] = [],
): Promise<GrpcReply[]> {
  for (let r = 0; r < requests; r++)
    await grpcExportWithRetry(client!, 'traces', rangeRequest(first, perRequest, r), API_KEY, {
      timeoutMs: 90_000,
      refusals,
    });
  return refusals;
}

/**
 * Waits until the writers acked everything, then reads every item of [first, first + count)
 * through the API: each span exactly once (the trace API returns every stored row).
 */
async function assertStoredOnce(first: number, count: number): Promise<void> {
  const traceIds = Array.from({ length: count }, (_, k) => itemTraceId(first + k));
  await eventually(
    'the writers drained the stream',
    async () => {
      const info = await observer!.jsm.consumers.info(DEFAULT_JETSTREAM_SETTINGS.stream, writerConsumerName('traces'));
      if (info.num_pending + info.num_ack_pending > 0) return undefined;
      const rs = await server!.running.clickhouse.query({
        query: 'SELECT count() AS rows FROM spans WHERE lower(hex(TraceId)) IN {ids:Array(String)}',
        query_params: { ids: traceIds },
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ rows: string }>();
      return Number(row!.rows) >= count ? true : undefined;
    },
    90_000,
  );
  for (const [k, traceId] of traceIds.entries()) {
    const res = await getTrace(server!.running.apiUrl, API_KEY, traceId);
    assert.equal(res.status, 200, `item ${first + k}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.data.spans.length, 1, `item ${first + k} stored ${res.body.data.spans.length} times`);
  }
}

function assertRetryInfo(refusals: GrpcReply[]): void {
  for (const r of refusals) {
    assert.equal(r.code, GrpcCode.UNAVAILABLE);
    assert.ok(
      r.retryDelayMs !== undefined && r.retryDelayMs > 0,
      `UNAVAILABLE carries RetryInfo with a delay: ${JSON.stringify(r)}`,
    );
  }
}

test(
  'nats-server killed and restarted: gRPC exports answer UNAVAILABLE with RetryInfo, /ready follows NATS, nothing acked is lost',
  { skip },
  async () => {
    const { running } = server!;
    const ready = `${running.metricsUrl}/ready`;
    assert.equal(await status(ready), 200);
    assert.deepEqual(await sendRange(0, 5, 10), [], 'accepted at once while NATS is up');

    await nats!.kill();
    await eventually('/ready to report not ready', async () => ((await status(ready)) === 503 ? true : undefined));
    // A client keeps exporting through the outage, retrying as it is told.
    const refusals: GrpcReply[] = [];
    const during = sendRange(1000, 10, 10, refusals);
    await eventually('an export refused while NATS is down', async () => (refusals.length > 0 ? true : undefined));
    assert.equal(await status(ready), 503, 'not ready while NATS is down');
    assert.equal(await status(`${running.metricsUrl}/health`), 200, 'the process stays up');
    assert.equal(await status(`${running.apiUrl}/health`), 200, 'the API stays up');

    await nats!.restart();
    await eventually(
      '/ready to report ready again',
      async () => ((await status(ready)) === 200 ? true : undefined),
      30_000,
    );
    await during;
    assertRetryInfo(refusals);
    await assertStoredOnce(0, 50);
    await assertStoredOnce(1000, 100);
  },
);

test(
  'stream full while ClickHouse refuses inserts: gRPC exports answer UNAVAILABLE with RetryInfo, and every acked request is stored once it drains',
  { skip },
  async () => {
    const { running } = server!;
    // The spans table holds a part before its inserts are refused (see refuseInserts).
    assert.deepEqual(await sendRange(5000, 1, 10), []);
    await assertStoredOnce(5000, 10);

    await refuseInserts(running.clickhouse, ['spans']);
    let refusing = true;
    try {
      // ~100 KB per request into a 1 MiB stream that no writer can drain.
      const first = 10_000;
      const perRequest = 10;
      const accepted: number[] = [];
      let refused: { r: number; reply: GrpcReply } | undefined;
      for (let r = 0; r < 40 && !refused; r++) {
        const reply = await grpcExport(client!, 'traces', rangeRequest(first, perRequest, r, 10_000), API_KEY);
        if (reply.code === GrpcCode.OK) accepted.push(r);
        else refused = { r, reply };
      }
      assert.ok(refused, 'an export into the full stream was refused');
      assertRetryInfo([refused.reply]);
      assert.ok(accepted.length >= 5, `the stream took ${accepted.length} requests before it was full`);
      assert.equal(await status(`${running.metricsUrl}/health`), 200, 'the process stays up');

      // Retried as told, the refused request goes in once the writers drain the stream: the
      // writers can drain it once the retry was refused again.
      const retries: GrpcReply[] = [];
      const retried = grpcExportWithRetry(
        client!,
        'traces',
        rangeRequest(first, perRequest, refused.r, 10_000),
        API_KEY,
        { timeoutMs: 90_000, refusals: retries },
      );
      await eventually('the retry refused while the stream is full', async () =>
        retries.length > 0 ? true : undefined,
      );
      await acceptInserts(running.clickhouse, ['spans']);
      refusing = false;
      assertRetryInfo(await retried);
      await assertStoredOnce(first, (refused.r + 1) * perRequest);
      assert.deepEqual(await listDeadLetters(observer!, DEFAULT_JETSTREAM_SETTINGS), [], 'nothing was given up on');
    } finally {
      if (refusing) await acceptInserts(running.clickhouse, ['spans']);
    }
  },
);

test('the all-in-one stops while NATS is down (a SIGTERM during the outage)', { skip }, async () => {
  await nats!.kill();
  await eventually('/ready to report not ready', async () =>
    (await status(`${server!.running.metricsUrl}/ready`)) === 503 ? true : undefined,
  );
  // Not a speed bound: a stop that waits for NATS to come back never ends.
  const stopped = server!.running.close().then(() => true);
  const waiting = new Promise<false>((resolve) => setTimeout(() => resolve(false), 30_000).unref());
  assert.ok(await Promise.race([stopped, waiting]), 'still stopping 30 s later: shutdown waits for NATS');
});
