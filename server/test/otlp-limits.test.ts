// The all-in-one under compression bombs and with short timeouts: bombs beyond the bytes in
// flight are throttled (429 / RESOURCE_EXHAUSTED, retryable) while the process's memory stays
// bounded, unauthenticated gRPC bombs are refused before anything is inflated, idle and slow
// connections are cut, and real SDK exports on every transport still work, earlier data intact.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { status as GrpcCode } from '@grpc/grpc-js';
import { encodeExportRequestObject } from '@telemetryflow/otlp';
import {
  API_KEY,
  TRANSPORTS,
  assertSignals,
  buildSignals,
  eventually,
  exportSignals,
  freshDataDir,
  removeDir,
  startServer,
  type Started,
} from './helpers.js';
import { grpcClient, grpcExport, postOtlp } from './otlp-clients.js';

const MiB = 1024 * 1024;
const TENANT_INFLIGHT = 64 * MiB;
let server: Started;
let dataDir: string;

before(async () => {
  dataDir = freshDataDir();
  server = await startServer(dataDir, {
    TF_OTLP_MAX_TENANT_INFLIGHT_BYTES: String(TENANT_INFLIGHT),
    TF_OTLP_HEADERS_TIMEOUT_MS: '1000',
    TF_OTLP_REQUEST_TIMEOUT_MS: '2000',
    TF_OTLP_IDLE_TIMEOUT_MS: '3000',
    TF_OTLP_UNAUTHENTICATED_TIMEOUT_MS: '1500',
    TF_OTLP_MAX_CONNECTIONS_PER_ADDRESS: '32',
  });
});

after(async () => {
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

/** The sum of a metric's series at /metrics whose labels contain `labels`. */
async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.running.metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** A valid logs request that inflates to `bytes`: one record with a body of that many letters. */
function logsInflatingTo(bytes: number): Buffer {
  const plain = encodeExportRequestObject('logs', {
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: 'b'.repeat(bytes) } },
            ],
          },
        ],
      },
    ],
  });
  return zlib.gzipSync(plain, { level: 9 });
}

test('16 concurrent bodies of ~19 KB inflating to 19 MiB: some are throttled with 429, memory stays bounded, later exports work and earlier data is intact', async () => {
  const earlier = await buildSignals('before-bombs', 'before.bombs');
  await exportSignals(server.running, 'proto', API_KEY, earlier);

  const bomb = logsInflatingTo(19 * MiB);
  assert.ok(bomb.length < 64 * 1024, `${bomb.length} bytes on the wire`);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
  let answers;
  try {
    answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        postOtlp(server.running.otlpHttpUrl, 'logs', bomb, 'protobuf', API_KEY, { 'content-encoding': 'gzip' }),
      ),
    );
  } finally {
    clearInterval(sampler);
  }
  const statuses = answers.map((a) => a.status);
  assert.ok(
    statuses.every((s) => s === 200 || s === 429),
    JSON.stringify(statuses),
  );
  const throttled = answers.filter((a) => a.status === 429);
  assert.ok(throttled.length >= 16 - TENANT_INFLIGHT / (19 * MiB), `${throttled.length} of 16 throttled`);
  for (const t of throttled) {
    assert.equal(t.retryAfter, '1');
    assert.match(t.error!.message, /in flight/);
  }
  // All 16 inflated at once would be 304 MiB of bodies alone, before decoding (unbounded,
  // the process grew by 200-360 MiB). Bounded: the tenant's 64 MiB, and the decoded copies
  // of what it admitted (measured: 54-58 MiB).
  const growth = (rssPeak - rssBefore) / MiB;
  assert.ok(growth < 160, `RSS grew by ${growth.toFixed(0)} MiB at the peak`);
  assert.equal(await metric('tf_otlp_inflight_bytes'), 0, 'every request gave its bytes back');
  assert.equal(await metric('tf_otlp_requests_total', 'outcome="throttled"'), throttled.length);

  for (const transport of TRANSPORTS) {
    const later = await buildSignals(`after-bombs-${transport}`, `after.bombs.${transport}`);
    await exportSignals(server.running, transport, API_KEY, later);
    await assertSignals(server.running.apiUrl, API_KEY, later);
  }
  await assertSignals(server.running.apiUrl, API_KEY, earlier);
});

test('gRPC: an unauthenticated gzip bomb is UNAUTHENTICATED; with the key, RESOURCE_EXHAUSTED past the size limit', async () => {
  // The gzip client compresses the message: 64 MiB of zeros travel as ~64 KiB.
  const bomb = Buffer.alloc(64 * MiB);
  for (const key of [null, 'tf_not_a_key_000000000000000000', API_KEY]) {
    // A connection of its own each: one that never authenticates is closed after a while.
    const client = grpcClient(server.running.otlpGrpcAddress, true);
    try {
      const answer = await grpcExport(client, 'logs', bomb, key);
      if (key === API_KEY) {
        assert.equal(answer.error?.code, GrpcCode.RESOURCE_EXHAUSTED);
        assert.match(answer.error!.details, /decompresses to a size larger than/);
      } else {
        assert.equal(answer.error?.code, GrpcCode.UNAUTHENTICATED, String(key));
      }
    } finally {
      client.close();
    }
  }
});

test('idle connections to both listeners are closed, and the SDK exporters work with the short timeouts on every transport', async () => {
  const grpcPort = Number(server.running.otlpGrpcAddress.split(':').at(-1));
  const httpPort = Number(new URL(server.running.otlpHttpUrl).port);
  const idle = [httpPort, grpcPort].map((port) => {
    const socket = net.connect(port, '127.0.0.1');
    const state = { closed: false };
    socket.on('close', () => (state.closed = true));
    socket.on('error', () => {});
    // Reading, so that the server's end of the connection is seen.
    socket.resume();
    return state;
  });
  await eventually('idle connections closed', async () => (idle.every((s) => s.closed) ? true : undefined), 10_000);

  for (const transport of TRANSPORTS) {
    const sent = await buildSignals(`short-timeouts-${transport}`, `short.timeouts.${transport}`);
    await exportSignals(server.running, transport, API_KEY, sent);
    await assertSignals(server.running.apiUrl, API_KEY, sent);
  }
});
