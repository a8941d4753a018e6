// Distributed roles as separate OS processes, as they run in production: two stateless
// collectors publishing to the machine's NATS JetStream, and one process holding the
// ingest and query roles (the embedded engine serves one process; a ClickHouse server
// lifts that), with the machine's Postgres. The writer process is SIGKILLed under load and
// restarted: everything the collectors accepted is stored exactly once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createClickHouse } from '@telemetryflow/clickhouse';
import { API_KEY, assertSignals, buildSignals, eventually, exportSignals, freshDataDir, removeDir } from './helpers.js';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS } from '@telemetryflow/bus';
import { exportWithRetry, request } from './jetstream-rig.js';
import { killAll, launchMain, type MainProcess } from './main-process.js';

const NATS_URL = process.env.TF_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const skip = await natsMissing();

/** The machine's NATS (CI has one at 127.0.0.1:4222): required in CI, skipped with a reason elsewhere. */
async function natsMissing(): Promise<string | undefined> {
  try {
    const bus = await connectBus(NATS_URL, 'roles-test-probe');
    await bus.close();
    return undefined;
  } catch (err) {
    if (process.env.CI)
      throw new Error(`the machine's NATS at ${NATS_URL} is required in CI: ${(err as Error).message}`);
    return `no NATS at ${NATS_URL}: separate-process roles test skipped (CI runs it)`;
  }
}

/** The test owns TelemetryFlow's JetStream objects on the machine's NATS while it runs. */
async function dropJetStreamObjects(): Promise<void> {
  const bus = await connectBus(NATS_URL, 'roles-test-cleanup');
  try {
    const s = DEFAULT_JETSTREAM_SETTINGS;
    for (const stream of [s.stream, s.deadLetterStream, `KV_${s.manifestBucket}`])
      await bus.jsm.streams.delete(stream).catch(() => false);
  } finally {
    await bus.close();
  }
}
const ADMIN_URL = process.env.TF_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `tf_roles_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dataDir = freshDataDir('tf-roles-');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

before(async () => {
  if (skip) return;
  await dropJetStreamObjects();
  await admin(`CREATE DATABASE ${dbName}`);
});

after(async () => {
  killAll();
  if (!skip) {
    await dropJetStreamObjects();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
  removeDir(dataDir);
});

async function launch(role: string, dir: string): Promise<MainProcess> {
  const proc = await launchMain([role], dir, {
    DATABASE_URL: databaseUrl,
    NATS_URL,
    TF_NATS_ACK_WAIT_SECONDS: '5',
    TF_INGEST_WORKERS: '1',
  });
  await eventually(
    `${role} ready`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${role} exited: ${proc.output()}`);
      const res = await fetch(`${proc.metricsUrl}/ready`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    60_000,
  );
  return proc;
}

async function metric(proc: MainProcess, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${proc.metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => pattern.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

test(
  'two collector processes and a writer process: data sent to either is queryable; a SIGKILLed writer loses and duplicates nothing',
  { skip },
  async () => {
    let writer = await launch('ingest,query', dataDir);
    const collectors = [
      await launch('collector', freshDataDir('tf-collector-')),
      await launch('collector', freshDataDir('tf-collector-')),
    ];

    // Real OTel SDK exporters, one collector each: everything is readable through the query role.
    const viaFirst = await buildSignals('roles-a', 'roles.a');
    const viaSecond = await buildSignals('roles-b', 'roles.b');
    await exportSignals(collectors[0]!, 'grpc', API_KEY, viaFirst);
    await exportSignals(collectors[1]!, 'http', API_KEY, viaSecond);
    await eventually(
      'signals sent through both collectors',
      async () => {
        await assertSignals(writer.apiUrl, API_KEY, viaFirst);
        await assertSignals(writer.apiUrl, API_KEY, viaSecond);
        return true;
      },
      60_000,
    );
    assert.ok(
      (await metric(collectors[0]!, /^tf_otlp_requests_total\{.*tenant="default".*outcome="accepted"/)) >= 3,
      'the first collector counted its exports',
    );
    assert.ok((await metric(writer, /^tf_ingest_batch_rows_count/)) > 0, 'the writer counted its batches');

    // Load through both collectors while the writer is killed and started again.
    const requests = 60;
    const perRequest = 100;
    const batchesBefore = await metric(writer, /^tf_ingest_batch_rows_count/);
    const load = (async () => {
      for (let r = 0; r < requests; r++) {
        const target = collectors[r % 2]!;
        await exportWithRetry(
          target.otlpHttpUrl,
          'default',
          'traces',
          request('traces', 1_000_000 + r * perRequest, perRequest),
          60_000,
          API_KEY,
        );
        if (r % 10 === 0) await new Promise((res) => setTimeout(res, 150));
      }
    })();
    // Killed under load, once it inserted some of it.
    await eventually(
      'the writer inserted part of the load',
      async () => ((await metric(writer, /^tf_ingest_batch_rows_count/)) > batchesBefore ? true : undefined),
      30_000,
    );
    writer.child.kill('SIGKILL');
    await writer.exited;
    await load;
    writer = await launch('ingest,query', dataDir);
    // Let the writer drain the stream (its messages redelivered after the ack wait), then stop it cleanly.
    await eventually(
      'the stream drained',
      async () =>
        (await metric(writer, /^tf_ingest_consumer_pending_messages\{signal="traces"\}/)) === 0 ? true : undefined,
      90_000,
    );
    // Graceful stop: stop pulling, finish and ack the batch under way, exit 0.
    writer.child.kill('SIGTERM');
    assert.deepEqual(await writer.exited, { code: 0, signal: null }, writer.output());
    for (const c of collectors) c.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(collectors.map((c) => c.exited)), [
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);

    const clickhouse = await createClickHouse({ dataDir });
    try {
      const rs = await clickhouse.query({
        query:
          "SELECT count() AS rows, uniqExact(SpanId) AS distinct FROM spans WHERE TenantId = 'default' AND ServiceName = 'js-test'",
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ rows: string; distinct: string }>();
      assert.deepEqual(
        { rows: Number(row!.rows), distinct: Number(row!.distinct) },
        { rows: requests * perRequest, distinct: requests * perRequest },
      );
    } finally {
      await clickhouse.close();
    }
  },
);
