// The all-in-one (embedded engine, in-process hand-off) while ClickHouse refuses every
// insert with "too many parts", as a server does while merges fall behind: every transport
// tells its clients to retry (503 + Retry-After, UNAVAILABLE + RetryInfo), nothing is
// acknowledged meanwhile, and once inserts work again the same clients' retries land and
// every item reads back through the API exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { INSERT_TABLES } from '@telemetryflow/clickhouse';
import { otlpRoot } from '@telemetryflow/otlp';
import { acceptInserts, refuseInserts } from './clickhouse-faults.js';
import {
  API_KEY,
  assertSignals,
  buildSignals,
  eventually,
  EXPORT_SUCCESS,
  exporters,
  exportSignals,
  exportWith,
  freshDataDir,
  getTrace,
  removeDir,
  startServer,
  TRANSPORTS,
  type SignalFixtures,
  type Started,
  type Transport,
} from './helpers.js';
import { itemTraceId, request } from './jetstream-rig.js';
import { retryDelayMs } from './otlp-grpc-client.js';

const dataDir = freshDataDir();
let server: Started | undefined;

before(async () => {
  server = await startServer(dataDir);
});
after(async () => {
  await server?.running.close();
  removeDir(dataDir);
});

/** Export requests the receivers refused as transient so far (tf_otlp_requests_total). */
async function unavailableRequests(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^tf_otlp_requests_total\{[^}]*outcome="unavailable"[^}]*\} (\d+)$/gm))
    total += Number(m[1]);
  return total;
}

const rpcStatus = otlpRoot.lookupType('google.rpc.Status');

interface Settled {
  what: string;
  code: number;
  error?: Error;
  /** The export resolved only after inserts worked again. */
  afterRecovery: boolean;
}

test("ClickHouse refusing inserts: 503 + Retry-After and UNAVAILABLE + RetryInfo, nothing acked meanwhile, and the clients' retries land once", async () => {
  const { running } = server!;
  // Every table an export writes into holds a part, so the parts limit refuses them all.
  await exportSignals(running, 'proto', API_KEY, await buildSignals('outage-before', 'outage.before'));

  await refuseInserts(
    running.clickhouse,
    INSERT_TABLES.filter((t) => t !== 'metrics_summary'),
  );
  let recovered = false;
  try {
    // What a raw client sees: a transient refusal in the protocol's own format.
    const probe = request('traces', 0, 3);
    const proto = await fetch(`${running.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${API_KEY}` },
      body: probe,
    });
    assert.equal(proto.status, 503, 'OTLP/HTTP protobuf: 503 while ClickHouse refuses inserts');
    assert.ok(Number(proto.headers.get('retry-after')) > 0, `Retry-After: ${proto.headers.get('retry-after')}`);
    assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
    const status = rpcStatus.toObject(rpcStatus.decode(new Uint8Array(await proto.arrayBuffer()))) as { code: number };
    assert.equal(status.code, GrpcCode.UNAVAILABLE, 'the body is a google.rpc.Status saying UNAVAILABLE');

    const json = await fetch(`${running.otlpHttpUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        resourceLogs: [
          { scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: 'probe' } }] }] },
        ],
      }),
    });
    assert.equal(json.status, 503, 'OTLP/HTTP JSON: 503');
    assert.ok(Number(json.headers.get('retry-after')) > 0);
    assert.equal(((await json.json()) as { code: number }).code, GrpcCode.UNAVAILABLE);

    // Real SDK exporters of every transport export while inserts fail. The HTTP ones retry
    // by themselves as Retry-After says; the JS SDK's gRPC exporter reports the failure
    // and its caller exports the same items again after the RetryInfo delay.
    const sent = {} as Record<Transport, SignalFixtures>;
    const refusedBefore = await unavailableRequests(running.metricsUrl);
    const settled: Promise<Settled>[] = [];
    const clients = TRANSPORTS.map((t) => exporters(running, t, API_KEY, { timeoutMillis: 30_000 }));
    const grpcRetryDelays: number[] = [];
    for (const [i, transport] of TRANSPORTS.entries()) {
      const f = (sent[transport] = await buildSignals(`outage-${transport}`, `outage.${transport}`));
      const ex = clients[i]!;
      const exports: [string, () => ReturnType<typeof exportWith>][] = [
        ['traces', () => exportWith(ex.traces, f.trace.spans)],
        ['logs', () => exportWith(ex.logs, f.logs.records)],
        ['metrics', () => exportWith(ex.metrics, f.metrics.resourceMetrics)],
      ];
      for (const [signal, once] of exports) {
        const what = `${signal} over ${transport}`;
        const attempt = async (): Promise<Settled> => {
          for (;;) {
            const r = await once();
            if (transport !== 'grpc' || r.code === EXPORT_SUCCESS)
              return { what, code: r.code, error: r.error, afterRecovery: recovered };
            const err = r.error as ServiceError;
            assert.equal(err.code, GrpcCode.UNAVAILABLE, `${what}: ${err.message}`);
            const delay = retryDelayMs(err);
            assert.ok(
              delay !== undefined && delay > 0,
              `${what}: UNAVAILABLE carries RetryInfo with a delay (${delay})`,
            );
            grpcRetryDelays.push(delay);
            await new Promise((r) => setTimeout(r, delay));
          }
        };
        settled.push(attempt());
      }
    }
    // Every export was refused before inserts work again (each client waits the delay it
    // was told, seconds, before it tries again).
    await eventually(
      'every SDK export refused',
      async () => {
        const refused = (await unavailableRequests(running.metricsUrl)) - refusedBefore;
        return refused >= settled.length && grpcRetryDelays.length >= 3 ? true : undefined;
      },
      20_000,
    );

    await acceptInserts(
      running.clickhouse,
      INSERT_TABLES.filter((t) => t !== 'metrics_summary'),
    );
    recovered = true;
    for (const s of await Promise.all(settled)) {
      assert.equal(s.code, EXPORT_SUCCESS, `${s.what}: ${s.error?.message}`);
      assert.ok(s.afterRecovery, `${s.what} was acknowledged while ClickHouse refused every insert`);
    }
    await Promise.all(clients.map((c) => c.shutdown()));

    for (const transport of TRANSPORTS) await assertSignals(running.apiUrl, API_KEY, sent[transport]);
    // The refused probe, never retried, is not stored either.
    assert.equal((await getTrace(running.apiUrl, API_KEY, itemTraceId(0))).status, 404);
  } finally {
    if (!recovered)
      await acceptInserts(
        running.clickhouse,
        INSERT_TABLES.filter((t) => t !== 'metrics_summary'),
      ).catch(() => undefined);
  }
});
