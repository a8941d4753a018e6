// Exactly-once storage through JetStream when writers die, ClickHouse fails, clients retry
// and several writer replicas share a consumer. Every test sends items with unique ids
// and checks, in ClickHouse, that the rows equal what was sent and the ids are distinct.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClickHouseWriter } from '@telemetryflow/ingest';
import type { Signal } from '@telemetryflow/otlp';
import type { Registry } from 'prom-client';
import { eventually } from './helpers.js';
import {
  DiesAfterInsert,
  exportWithRetry,
  JetStreamRig,
  pendingMessages,
  postExport,
  request,
  settledStored,
  writerConsumerInfo,
} from './jetstream-rig.js';
import { natsServerMissing } from './nats-server.js';

const skip = natsServerMissing();
let rig: JetStreamRig;

before(async () => {
  if (!skip) rig = await JetStreamRig.start();
});
after(async () => {
  await rig?.close();
});

async function send(tenant: string, signal: Signal, requests: number, perRequest: number, first = 0): Promise<number> {
  for (let r = 0; r < requests; r++)
    await exportWithRetry(rig.otlpUrl, tenant, signal, request(signal, first + r * perRequest, perRequest));
  return requests * perRequest;
}

async function counter(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => {
      const n = (v as { metricName?: string }).metricName;
      return n === undefined || n === name || n.endsWith('_count');
    })
    .reduce((a, v) => a + v.value, 0);
}

test('a client retry of the same export (lost response) is stored once', { skip }, async () => {
  const writer = await rig.startWriter();
  try {
    const body = request('logs', 0, 50);
    assert.equal((await postExport(rig.otlpUrl, 'retry', 'logs', body)).status, 200);
    assert.equal((await postExport(rig.otlpUrl, 'retry', 'logs', body)).status, 200);
    const stored = await settledStored(rig, 'retry', 'logs', 50);
    assert.deepEqual(stored, { rows: 50, distinct: 50 });
  } finally {
    await writer.stop();
  }
});

test('two writer replicas on one consumer store every message exactly once', { skip }, async () => {
  // Small batches, several under way in each replica at once.
  const a = await rig.startWriter({ config: { maxBytes: 16 * 1024, concurrency: 3 } });
  const b = await rig.startWriter({ config: { maxBytes: 16 * 1024, concurrency: 3 } });
  try {
    const sent = { traces: 0, logs: 0, metrics: 0 };
    for (const signal of ['traces', 'logs', 'metrics'] as const) sent[signal] = await send('replicas', signal, 40, 25);
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      assert.deepEqual(
        await settledStored(rig, 'replicas', signal, sent[signal]),
        { rows: sent[signal], distinct: sent[signal] },
        signal,
      );
    }
    // Both replicas took part (the consumer hands pulls to both).
    assert.ok((await counter(a.registry, 'tf_ingest_batch_rows')) > 0, 'replica a inserted batches');
    assert.ok((await counter(b.registry, 'tf_ingest_batch_rows')) > 0, 'replica b inserted batches');
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('a backlog is inserted in batches of several pulls, each message once', { skip }, async () => {
  // 250 requests wait in the stream before a writer starts; one pull brings at most 100.
  const sent = await send('backlog', 'logs', 250, 4);
  const writer = await rig.startWriter({ config: { maxBytes: 64 * 1024 * 1024, maxDelayMs: 30_000, concurrency: 3 } });
  try {
    assert.deepEqual(await settledStored(rig, 'backlog', 'logs', sent), { rows: sent, distinct: sent });
    const batches = await counter(writer.registry, 'tf_ingest_batch_rows');
    assert.ok(batches >= 1 && batches < 3, `${batches} inserts for 250 messages: a batch took more than one pull`);
  } finally {
    await writer.stop();
  }
});

test(
  'a writer killed after inserting a batch but before acking it: the batch is redelivered and stored once',
  { skip },
  async () => {
    let crashing: DiesAfterInsert | undefined;
    const doomed = await rig.startWriter({ writer: (bus) => (crashing = new DiesAfterInsert(rig.clickhouse, bus)) });
    let sent = await send('crash', 'traces', 5, 100);
    await eventually('the writer inserted a batch', async () => (crashing!.died ? true : undefined), 30_000);
    assert.equal((await rig.stored('traces', 'crash')).rows, sent, 'the batch landed in ClickHouse');
    assert.ok((await pendingMessages(rig, 'traces')) > 0, 'its messages were never acked');
    await doomed.stop();

    // New data arrives meanwhile, so the replacement's first pull mixes fresh and redelivered
    // messages: only the recorded batch keeps the redelivered ones from being stored again.
    sent += await send('crash', 'traces', 3, 100, sent);
    const replacement = await rig.startWriter();
    try {
      assert.deepEqual(await settledStored(rig, 'crash', 'traces', sent), { rows: sent, distinct: sent });
      assert.ok(
        (await counter(replacement.registry, 'tf_ingest_redeliveries_total')) > 0,
        'the unacked batch was delivered again',
      );
    } finally {
      await replacement.stop();
    }
  },
);

/** The embedded engine cannot be stopped: this writer fails every insert while `down`, as a client of an unreachable server would. */
class Outage extends ClickHouseWriter {
  down = true;
  override async insert(...[table, data, token]: Parameters<ClickHouseWriter['insert']>): Promise<void> {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    await super.insert(table, data, token);
  }
}

test(
  'ClickHouse unavailable under load: exports are accepted meanwhile and all arrive once it returns',
  { skip },
  async () => {
    const ch = new Outage(rig.clickhouse);
    const writer = await rig.startWriter({ writer: () => ch });
    try {
      const requests = 20;
      const sent = await send('outage', 'metrics', requests, 50);
      // Past the point where anything could have been inserted: every message was delivered,
      // its insert failed, and it was handed back and delivered again.
      await eventually(
        'every message delivered again after a failed insert',
        async () => {
          const info = await writerConsumerInfo(rig, 'metrics');
          return info.num_pending === 0 && info.num_redelivered >= requests ? true : undefined;
        },
        30_000,
      );
      assert.equal((await rig.stored('metrics', 'outage')).rows, 0, 'nothing could be inserted during the outage');
      assert.ok((await pendingMessages(rig, 'metrics')) > 0, 'the requests wait in JetStream');
      assert.ok(
        (await counter(writer.registry, 'tf_ingest_insert_errors_total')) > 0,
        'the failed inserts are counted',
      );
      ch.down = false;
      assert.deepEqual(await settledStored(rig, 'outage', 'metrics', sent), { rows: sent, distinct: sent });
    } finally {
      await writer.stop();
    }
  },
);
