// Check results over JetStream (probes and writers in separate processes): what a probe
// publishes reaches ClickHouse once, a malformed message is dropped without blocking the rest,
// and a result written while ClickHouse refuses is redelivered.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { MonitorResultsWriter, type MonitorCheckRecord } from '@telemetryflow/alerting';
import {
  connectBus,
  ensureMonitorResultsTopology,
  followMonitorResults,
  MONITOR_RESULTS_STREAM,
  MONITOR_RESULTS_SUBJECT,
  publishMonitorResults,
  type BusConnection,
} from '@telemetryflow/bus';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { startClickHouse, tempDir } from '@telemetryflow/query/test-helpers';
import { natsServerMissing, TestNatsServer } from '../nats-server.js';

const skip = natsServerMissing();
let nats: TestNatsServer;
let bus: BusConnection;
let ch: ClickHouseClient;
const dir = tempDir('tf-monitor-results-js-');

before(async () => {
  if (skip) return;
  nats = await TestNatsServer.start();
  bus = await connectBus(nats.url, 'monitor-results-test');
  ch = await startClickHouse(dir.path);
});
after(async () => {
  await bus?.close();
  await nats?.stop();
  await ch?.close();
  dir.remove();
});

async function stored(monitorId: string): Promise<number> {
  const rs = await ch.query({
    query: 'SELECT count() AS n FROM monitor_results WHERE MonitorId = {id:UUID}',
    query_params: { id: monitorId },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

// A wait for delivery, not a latency bound: redelivery pauses 1 s, and CI runs two test files at once.
async function until(what: string, ok: () => Promise<boolean>, state: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await state()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it(
  'published results reach ClickHouse once; malformed ones are dropped; a failed insert is redelivered',
  { skip },
  async () => {
    await ensureMonitorResultsTopology(bus, 1);
    await ensureMonitorResultsTopology(bus, 1); // every process runs it at start: idempotent
    const monitorId = randomUUID();
    const result = (i: number): MonitorCheckRecord => ({
      tenantId: 'default',
      monitorId,
      time: new Date(Date.now() - i * 1000).toISOString(),
      location: 'eu-1',
      kind: 'http',
      up: i % 2 === 0,
      latencyMs: 12.5,
      statusCode: 200,
    });
    let failNext = true;
    const writer = new MonitorResultsWriter(ch);
    const dropped: number[] = [];
    const log: string[] = [];
    const follower = followMonitorResults(
      bus,
      async (values) => {
        if (failNext) {
          failNext = false;
          throw new Error('ClickHouse is down');
        }
        dropped.push((await writer.writeUntrusted(values)).dropped);
      },
      (m) => log.push(m),
    );
    try {
      await publishMonitorResults(bus, [result(0), result(1)]);
      await publishMonitorResults(bus, [{ ...result(2), monitorId: 'not-a-uuid' }, result(3)]);
      await bus.js.publish(MONITOR_RESULTS_SUBJECT, new TextEncoder().encode('{"not":"an array"}'));
      const progress = async () => `${await stored(monitorId)} stored; follower log: ${log.join(' | ') || '(empty)'}`;
      // At least 3, then exactly 3: a duplicate fails the assertion below instead of a timeout.
      await until('3 stored results', async () => (await stored(monitorId)) >= 3, progress);
      assert.equal(await stored(monitorId), 3, 'each result stored once');
      assert.ok(
        log.some((m) => /insert failed, redelivered: ClickHouse is down/.test(m)),
        log.join('\n'),
      );
      assert.ok(
        log.some((m) => /dropped: not an array/.test(m)),
        log.join('\n'),
      );
      assert.equal(
        dropped.reduce((a, b) => a + b, 0),
        1,
        'the record with a bad monitor id',
      );
      await until(
        'the stream drained',
        async () => (await bus.jsm.streams.info(MONITOR_RESULTS_STREAM)).state.messages === 0,
        progress,
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await stored(monitorId), 3, 'nothing written twice');
    } finally {
      await follower.stop();
    }
  },
);
