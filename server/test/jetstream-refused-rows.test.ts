// ClickHouse refusing one message's rows as data under JetStream (a CHECK constraint on the
// logs table refuses records whose body starts with "refused"): the writer splits the batch,
// stores the other messages once, delivers the refused one again up to the poison limit and
// then moves it to the dead letters with ClickHouse's reason, from where it can be replayed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listDeadLetters, replayDeadLetters, type DeadLetter } from '@telemetryflow/bus';
import { encodeExportRequestObject } from '@telemetryflow/otlp';
import { refuseRowsStartingWith } from './clickhouse-faults.js';
import { eventually } from './helpers.js';
import { DiesAfterInsert, JetStreamRig, pendingMessages, postExport, request, settledStored } from './jetstream-rig.js';
import { natsServerMissing } from './nats-server.js';

const skip = natsServerMissing();
let rig: JetStreamRig;

before(async () => {
  if (!skip) rig = await JetStreamRig.start();
});
after(async () => {
  await rig?.close();
});

/** A logs request of `count` records whose bodies start with "refused", each padded by `pad` bytes. */
function refusedLogs(count: number, pad = 0): Buffer {
  const ns = BigInt(Date.now() - 60_000) * 1_000_000n;
  const attributes = pad > 0 ? [{ key: 'pad', value: { stringValue: 'x'.repeat(pad) } }] : [];
  const logRecords = Array.from({ length: count }, (_, i) => ({
    timeUnixNano: (ns + BigInt(i)).toString(),
    body: { stringValue: `refused-${i}` },
    attributes,
  }));
  return Buffer.from(
    encodeExportRequestObject('logs', {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'js-test' } }] },
          scopeLogs: [{ logRecords }],
        },
      ],
    }),
  );
}

/** Exports `body` as the tenant and returns the stream sequence JetStream gave it. */
async function publish(tenant: string, body: Buffer): Promise<number> {
  assert.equal((await postExport(rig.otlpUrl, tenant, 'logs', body)).status, 200);
  return (await rig.publisherBus.jsm.streams.info(rig.settings.stream)).state.last_seq;
}

async function lettersOf(tenant: string): Promise<DeadLetter[]> {
  return (await listDeadLetters(rig.publisherBus, rig.settings)).filter((l) => l.tenantId === tenant);
}

/** The dead letter's payload is the refused request, byte for byte. */
async function assertLetterHolds(letter: DeadLetter, body: Buffer): Promise<void> {
  const stored = await rig.publisherBus.jsm.streams.getMessage(rig.settings.deadLetterStream, { seq: letter.seq });
  assert.ok(stored && Buffer.from(stored.data).equals(body), 'the dead letter holds the refused request');
}

test(
  'one message of a batch refused as data: the others are stored once, it is delivered again, then dead-lettered with the reason',
  { skip },
  async () => {
    const tenant = 'refused';
    const refusal = await refuseRowsStartingWith(rig.clickhouse, 'logs', 'Body', 'refused');
    let refusing = true;
    const log: string[] = [];
    // The three requests wait in the stream before a writer starts: its first batch holds them all.
    await publish(tenant, request('logs', 0, 20));
    const bad = refusedLogs(5);
    const badSeq = await publish(tenant, bad);
    await publish(tenant, request('logs', 20, 20));
    const writer = await rig.startWriter({
      config: { poisonAfterDeliveries: 3, maxRetryDelayMs: 1000 },
      log: (m) => log.push(m),
    });
    try {
      // The split stores the good messages at the first delivery, while the refused one is
      // delivered again (a refusal may pass, e.g. once a migration fixed the schema).
      await eventually(
        'the good messages stored',
        async () => ((await rig.stored('logs', tenant)).rows === 40 ? true : undefined),
        30_000,
      );

      const letter = await eventually('the dead letter', async () => (await lettersOf(tenant))[0], 30_000);
      assert.equal(letter.signal, 'logs');
      assert.equal(letter.originalSeq, badSeq);
      assert.match(letter.reason, /^ClickHouse refused the rows: .*Constraint `tf_test_refused_rows`/);
      await assertLetterHolds(letter, bad);
      // Not dead-lettered at its first delivery, nor its second: handed back twice before.
      const letteredAt = await eventually('the dead letter logged', async () => {
        const i = log.findIndex((l) => l.includes(`message ${badSeq} moved to dead letters`));
        return i >= 0 ? i : undefined;
      });
      const retried = log.slice(0, letteredAt).filter((l) => l.includes('batch will be delivered again')).length;
      assert.ok(
        retried >= 2,
        `given up on at delivery ${retried + 1}: TF_INGEST_POISON_DELIVERIES is 3 (${JSON.stringify(log)})`,
      );
      // Each good record once, none of the refused ones, nothing left in the stream.
      assert.deepEqual(await settledStored(rig, tenant, 'logs', 40), { rows: 40, distinct: 40 });
      assert.equal(await pendingMessages(rig, 'logs'), 0);
      assert.equal((await lettersOf(tenant)).length, 1);

      // Nothing was lost: with the cause gone, the replayed letter is stored.
      await refusal.drop();
      refusing = false;
      assert.deepEqual(await replayDeadLetters(rig.publisherBus, rig.settings, [letter.seq]), [letter.seq]);
      assert.deepEqual(await settledStored(rig, tenant, 'logs', 45), { rows: 45, distinct: 45 });
    } finally {
      await writer.stop();
      if (refusing) await refusal.drop();
    }
  },
);

test(
  'a refusal that passes between deliveries (the cause fixed): every message of the split batch is stored exactly once',
  { skip },
  async () => {
    const tenant = 'refusedonce';
    const refusal = await refuseRowsStartingWith(rig.clickhouse, 'logs', 'Body', 'refused');
    let refusing = true;
    await publish(tenant, request('logs', 0, 20));
    await publish(tenant, refusedLogs(5));
    await publish(tenant, request('logs', 20, 20));
    const writer = await rig.startWriter({ config: { poisonAfterDeliveries: 10, maxRetryDelayMs: 1000 } });
    try {
      await eventually(
        'the good messages stored',
        async () => ((await rig.stored('logs', tenant)).rows === 40 ? true : undefined),
        30_000,
      );
      // Fixed while the refused message waits for its next delivery: that delivery stores it,
      // and the messages the split already stored are not stored again.
      await refusal.drop();
      refusing = false;
      assert.deepEqual(await settledStored(rig, tenant, 'logs', 45), { rows: 45, distinct: 45 });
      assert.equal(await pendingMessages(rig, 'logs'), 0);
      assert.deepEqual(await lettersOf(tenant), []);
    } finally {
      await writer.stop();
      if (refusing) await refusal.drop();
    }
  },
);

test(
  'a refused message delivered apart from the rest of its split batch is still dead-lettered, never dropped',
  { skip },
  async () => {
    const tenant = 'refusedapart';
    const refusal = await refuseRowsStartingWith(rig.clickhouse, 'logs', 'Body', 'refused');
    try {
      // ~600 KB each: a pull of one NATS message's worth (1 MiB) brings one of them at a time.
      await publish(tenant, request('logs', 100, 60, 10_000));
      const bad = refusedLogs(60, 10_000);
      const badSeq = await publish(tenant, bad);

      // The first writer takes both in one batch, stores the good one alone and dies.
      let dying: DiesAfterInsert | undefined;
      const first = await rig.startWriter({
        config: { maxBytes: 4 * 1024 * 1024 },
        writer: (bus) => (dying = new DiesAfterInsert(rig.clickhouse, bus, { afterARefusal: true })),
      });
      await eventually('the writer died while splitting', async () => (dying!.died ? true : undefined), 30_000);
      await first.stop();
      assert.equal((await rig.stored('logs', tenant)).rows, 60, 'the good message was stored by the split');

      // Its replacement takes one message per batch: the good one (already stored), then the
      // refused one, each delivered for the second time, which is the poison limit here.
      const replacement = await rig.startWriter({
        config: { maxBytes: 1, poisonAfterDeliveries: 2, maxRetryDelayMs: 1000 },
      });
      try {
        const letter = await eventually('the dead letter', async () => (await lettersOf(tenant))[0], 60_000);
        assert.equal(letter.originalSeq, badSeq);
        assert.match(letter.reason, /^ClickHouse refused the rows: /);
        await assertLetterHolds(letter, bad);
        assert.deepEqual(await settledStored(rig, tenant, 'logs', 60), { rows: 60, distinct: 60 });
        assert.equal(await pendingMessages(rig, 'logs'), 0);
        assert.equal((await lettersOf(tenant)).length, 1);
      } finally {
        await replacement.stop();
      }
    } finally {
      await refusal.drop();
    }
  },
);
