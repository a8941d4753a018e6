// A client's retry of an export is stored once by the all-in-one (in-process hand-off), as
// JetStream's Nats-Msg-Id window does in distributed mode: after a lost answer, and after a
// 503 for a metrics request some of whose tables had landed (ADR 0017).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { ClickHouseClient, InsertTable } from '@telemetryflow/clickhouse';
import { acceptInserts, refuseInserts } from './clickhouse-faults.js';
import {
  API_KEY,
  assertMetrics,
  assertSignals,
  buildSignals,
  eventually,
  exportSignals,
  freshDataDir,
  removeDir,
  sdkRequestBodies,
  startServer,
  type SignalBodies,
  type Started,
} from './helpers.js';

const dataDir = freshDataDir();
let server: Started | undefined;

before(async () => {
  // Reads go to ClickHouse every time: a cached answer from before a retry would hide a duplicate.
  server = await startServer(dataDir, { TF_QUERY_CACHE_TTL_MS: '0' });
  // Every metrics table holds a part, so that the parts limit can refuse inserts into one.
  await exportSignals(server.running, 'proto', API_KEY, await buildSignals('retries-before', 'retries.before'));
});
after(async () => {
  await server?.running.close();
  removeDir(dataDir);
});

type Signal = keyof SignalBodies;
const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];

function post(otlpHttpUrl: string, signal: Signal, body: Buffer): Promise<Response> {
  return fetch(`${otlpHttpUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${API_KEY}` },
    body,
  });
}

/**
 * Sends a whole export and closes the connection at once, before any answer can come: what
 * a client sees when its timeout fires or the network drops the reply. Resolves with
 * whether an answer arrived anyway.
 */
function postAndHangUp(otlpHttpUrl: string, signal: Signal, body: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request(`${otlpHttpUrl}/v1/${signal}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        authorization: `Bearer ${API_KEY}`,
        'content-length': body.length,
      },
    });
    req.on('response', () => (answered = true));
    req.on('error', () => undefined);
    req.on('close', () => resolve(answered));
    req.end(body, () => req.destroy());
  });
}

/** Points stored per metrics table for the metrics named `<prefix>.*`. */
async function pointsPerTable(clickhouse: ClickHouseClient, prefix: string): Promise<Record<string, number>> {
  const tables: InsertTable[] = ['metrics_gauge', 'metrics_sum', 'metrics_histogram', 'metrics_exp_histogram'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const rs = await clickhouse.query({
      query: 'SELECT count() AS n FROM {table:Identifier} WHERE startsWith(MetricName, {prefix:String})',
      query_params: { table, prefix: `${prefix}.` },
      format: 'JSONEachRow',
    });
    counts[table] = Number((await rs.json<{ n: string }>())[0]?.n);
  }
  return counts;
}

/** What the SDK fixture of buildMetrics holds: two gauges, two sums, a histogram, an exponential histogram, one point each. */
const FIXTURE_POINTS = { metrics_gauge: 2, metrics_sum: 2, metrics_histogram: 1, metrics_exp_histogram: 1 };

test('a retry after a lost answer is stored once and answered with success, for every signal', async () => {
  const { running } = server!;
  const f = await buildSignals('retries-lost', 'retries.lost');
  const bodies = await sdkRequestBodies(f);
  for (const signal of SIGNALS) {
    assert.equal(
      await postAndHangUp(running.otlpHttpUrl, signal, bodies[signal]),
      false,
      `${signal}: the client heard no answer`,
    );
  }
  // The server stored the requests all the same.
  await eventually(
    'the exports whose answers were lost are stored',
    async () => {
      await assertSignals(running.apiUrl, API_KEY, f);
      return true;
    },
    20_000,
  );

  // The client retries with the same bytes: success, and nothing is stored twice.
  for (const signal of SIGNALS) {
    const res = await post(running.otlpHttpUrl, signal, bodies[signal]);
    assert.equal(res.status, 200, `${signal}: ${res.status}`);
    assert.equal((await res.arrayBuffer()).byteLength, 0, `${signal}: a full success, no partial_success`);
  }
  await assertSignals(running.apiUrl, API_KEY, f);
  assert.deepEqual(await pointsPerTable(running.clickhouse, 'retries.lost'), FIXTURE_POINTS);
});

test('a metrics request answered 503 after some of its tables landed: the retry stores only the rest', async () => {
  const { running } = server!;
  const f = await buildSignals('retries-partial', 'retries.partial');
  const bodies = await sdkRequestBodies(f);
  await refuseInserts(running.clickhouse, ['metrics_histogram']);
  let refusing = true;
  try {
    const refused = await post(running.otlpHttpUrl, 'metrics', bodies.metrics);
    assert.equal(refused.status, 503, 'transient: the client is told to retry');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    await refused.arrayBuffer();
    const landed = await pointsPerTable(running.clickhouse, 'retries.partial');
    assert.equal(landed.metrics_histogram, 0);
    assert.ok(
      Object.values(landed).some((n) => n > 0),
      `some tables landed before the refusal: ${JSON.stringify(landed)}`,
    );

    await acceptInserts(running.clickhouse, ['metrics_histogram']);
    refusing = false;
    const retried = await post(running.otlpHttpUrl, 'metrics', bodies.metrics);
    assert.equal(retried.status, 200);
    await retried.arrayBuffer();
  } finally {
    if (refusing) await acceptInserts(running.clickhouse, ['metrics_histogram']).catch(() => undefined);
  }
  assert.deepEqual(await pointsPerTable(running.clickhouse, 'retries.partial'), FIXTURE_POINTS);
  await assertMetrics(running.apiUrl, API_KEY, f.metrics);
});
