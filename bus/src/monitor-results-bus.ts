// Check results of uptime monitors on JetStream: probes publish, one writer group inserts
// them into ClickHouse. A small work-queue stream of its own, apart from the OTLP stream,
// so a backlog of telemetry never delays results (nor the reverse).
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { BusConnection } from './bus-connection.js';

export const MONITOR_RESULTS_STREAM = 'TF_MONITOR_RESULTS';
export const MONITOR_RESULTS_SUBJECT = 'tf-monitor-results';
export const MONITOR_RESULTS_CONSUMER = 'tf-monitor-results-writer';

const STREAM_NOT_FOUND = 10059;
const FETCH_MESSAGES = 200;
const FETCH_EXPIRES_MS = 1000;

/** The stream and the writers' consumer, created or updated idempotently (several processes may start at once). */
export async function ensureMonitorResultsTopology(bus: BusConnection, replicas: number): Promise<void> {
  const config = {
    name: MONITOR_RESULTS_STREAM,
    subjects: [MONITOR_RESULTS_SUBJECT],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(7 * 24 * 3600 * 1000),
    max_bytes: 1024 ** 3,
    discard: DiscardPolicy.New,
  };
  try {
    await bus.jsm.streams.info(config.name);
    await bus.jsm.streams.update(config.name, config);
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NOT_FOUND) throw err;
    await bus.jsm.streams.add(config).catch(async () => bus.jsm.streams.info(config.name));
  }
  await bus.jsm.consumers.info(MONITOR_RESULTS_STREAM, MONITOR_RESULTS_CONSUMER).catch(() =>
    bus.jsm.consumers
      .add(MONITOR_RESULTS_STREAM, {
        durable_name: MONITOR_RESULTS_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(60_000),
        max_deliver: -1,
        max_ack_pending: 10_000,
      })
      .catch(() => bus.jsm.consumers.info(MONITOR_RESULTS_STREAM, MONITOR_RESULTS_CONSUMER)),
  );
}

/** Publishes one batch of results as one message; resolves on the PubAck. */
export async function publishMonitorResults(bus: BusConnection, records: readonly unknown[]): Promise<void> {
  if (records.length === 0) return;
  await bus.js.publish(MONITOR_RESULTS_SUBJECT, new TextEncoder().encode(JSON.stringify(records)));
}

export interface MonitorResultsFollower {
  stop(): Promise<void>;
}

/**
 * Pulls result batches and hands every record to `write`; a message is acked only after
 * `write` succeeded (else redelivered after a pause). A message that is not a JSON array
 * is acked and reported: it can never be written.
 */
export function followMonitorResults(
  bus: BusConnection,
  write: (records: unknown[]) => Promise<void>,
  log: (msg: string) => void,
): MonitorResultsFollower {
  let stopped = false;
  const loop = (async () => {
    const consumer = await bus.js.consumers.get(MONITOR_RESULTS_STREAM, MONITOR_RESULTS_CONSUMER);
    while (!stopped) {
      const msgs: JsMsg[] = [];
      try {
        const iter = await consumer.fetch({ max_messages: FETCH_MESSAGES, expires: FETCH_EXPIRES_MS });
        const deadline = setTimeout(() => iter.stop(), 2 * FETCH_EXPIRES_MS + 1000);
        try {
          for await (const m of iter) msgs.push(m);
        } finally {
          clearTimeout(deadline);
        }
      } catch (err) {
        if (msgs.length === 0) {
          log(`monitor results: pull failed: ${err instanceof Error ? err.message : String(err)}`);
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
      }
      const records: unknown[] = [];
      const good: JsMsg[] = [];
      for (const m of msgs) {
        try {
          const parsed: unknown = m.json();
          if (!Array.isArray(parsed)) throw new Error('not an array');
          records.push(...(parsed as unknown[]));
          good.push(m);
        } catch (err) {
          log(`monitor results: message ${m.seq} dropped: ${err instanceof Error ? err.message : String(err)}`);
          m.ack();
        }
      }
      if (good.length === 0) continue;
      try {
        await write(records);
        for (const m of good) m.ack();
      } catch (err) {
        log(`monitor results: insert failed, redelivered: ${err instanceof Error ? err.message : String(err)}`);
        for (const m of good) m.nak(1000);
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch((err: unknown) => log(`monitor results: ${err instanceof Error ? err.message : String(err)}`));
    },
  };
}
