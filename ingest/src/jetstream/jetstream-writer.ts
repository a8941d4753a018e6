// JetStream → ClickHouse. Each signal has one durable pull consumer shared by every writer
// replica. A writer pulls a batch, decodes it in a worker thread, records the batch's
// manifest, inserts one block per table with a token derived from the batch's sequence
// range, and acks the messages only after the insert succeeded. Redelivered messages that
// belong to a recorded batch are re-inserted as that batch, so ClickHouse deduplicates them.
// Per signal one loop pulls while the batches pulled before it decode and insert, so the
// decoder thread, the insert and the pull of the next batch run at the same time.
//
// The stages, each in its own module: the puller (batches from the pull consumer), the
// claims (one copy of each delivery per process), the inserter (manifests, exactly-once
// inserts), the settler (ack, or nak with a delay, after the insert's outcome) and the
// dead-letterer (undecodable and refused messages, split batches). This class wires them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { writerConsumerName, type BusConnection, type JetStreamSettings } from '@telemetryflow/bus';
import { SIGNALS, type Signal } from '@telemetryflow/otlp';
import type { ClickHouseWriter } from '../clickhouse-writer.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { BatchDecodePool } from './batch-decode.js';
import { BatchInserter } from './batch-inserter.js';
import type { BatchManifestStore } from './batch-manifests.js';
import { BatchPuller } from './batch-puller.js';
import { BatchSettler, quietly } from './batch-settler.js';
import { DeadLetterer } from './dead-letterer.js';
import { DeliveryClaims } from './delivery-claims.js';

export interface JetStreamWriterConfig {
  /**
   * Bytes of messages per batch (the OTLP protobuf payloads, a proxy for the rows they
   * hold); a batch is one insert per table.
   */
  maxBytes: number;
  /** A batch waits at most this long for maxBytes to arrive (at least 1 s). */
  maxDelayMs: number;
  /**
   * Batches under way at once per signal, the one being pulled included: while one is
   * pulled, the others decode and insert.
   */
  concurrency: number;
  /** Deliveries after which a message ClickHouse still refuses as data becomes a dead letter. */
  poisonAfterDeliveries: number;
  /** Longest wait before a batch that failed transiently is delivered again. */
  maxRetryDelayMs: number;
}

export const DEFAULT_JETSTREAM_WRITER_CONFIG: JetStreamWriterConfig = {
  maxBytes: 32 * 1024 * 1024,
  maxDelayMs: 1000,
  concurrency: 3,
  poisonAfterDeliveries: 3,
  maxRetryDelayMs: 30_000,
};

export class JetStreamWriter {
  private stopping = false;
  private readonly claims = new DeliveryClaims();
  private readonly puller: BatchPuller;
  private readonly settler: BatchSettler;
  private readonly inserter: BatchInserter;
  private loops: Promise<void>[] = [];
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: BusConnection,
    private readonly settings: JetStreamSettings,
    writer: ClickHouseWriter,
    pool: BatchDecodePool,
    manifests: BatchManifestStore,
    private readonly config: JetStreamWriterConfig = DEFAULT_JETSTREAM_WRITER_CONFIG,
    private readonly metrics?: IngestMetrics,
    private readonly log: (msg: string) => void = console.error,
  ) {
    this.puller = new BatchPuller(bus, config, () => this.stopping);
    this.settler = new BatchSettler(bus, settings, manifests, this.claims, config, metrics, log);
    const deadLetterer = new DeadLetterer(bus, writer, this.settler, config, metrics, log);
    this.inserter = new BatchInserter(writer, pool, this.settler, deadLetterer, metrics);
  }

  async start(): Promise<void> {
    for (const signal of SIGNALS) {
      const consumer = await this.bus.js.consumers.get(this.settings.stream, writerConsumerName(signal));
      this.loops.push(this.run(signal, consumer));
    }
    if (this.metrics) {
      const timer = setInterval(() => void this.recordLag(), 5_000);
      timer.unref();
      this.lagTimer = timer;
      await this.recordLag();
    }
  }

  /** Stops pulling, finishes and acks the batches under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    await Promise.all(this.loops);
  }

  /** Pulls batch after batch; each decodes and inserts while the next ones are pulled. */
  private async run(signal: Signal, consumer: Consumer): Promise<void> {
    const underWay = new Set<Promise<void>>();
    while (!this.stopping) {
      // The batch about to be pulled counts as under way.
      if (underWay.size >= Math.max(1, this.config.concurrency - 1)) {
        await Promise.race(underWay);
        continue;
      }
      let msgs: JsMsg[];
      try {
        msgs = await this.puller.pullBatch(consumer);
      } catch (err) {
        this.log(`jetstream writer (${signal}): ${(err as Error).message}`);
        if (!this.stopping) await sleep(1000);
        continue;
      }
      // Pulled messages are processed even when stopping: they are ours until acked.
      if (msgs.length === 0) continue;
      const batch: Promise<void> = this.process(signal, msgs)
        .catch(async (err: unknown) => {
          this.log(`jetstream writer (${signal}): ${(err as Error).message}`);
          // NATS or ClickHouse trouble: pause before this slot takes the next batch.
          if (!this.stopping) await sleep(1000);
        })
        .finally(() => underWay.delete(batch));
      underWay.add(batch);
    }
    await Promise.all(underWay);
  }

  private async process(signal: Signal, pulled: JsMsg[]): Promise<void> {
    const redelivered = pulled.filter((m) => m.info.deliveryCount > 1).length;
    if (redelivered > 0) this.metrics?.redeliveries.inc({ signal }, redelivered);
    const msgs = this.claims.claim(signal, pulled);
    // From the pull on, also while the batch waits for the decoder or earlier inserts, its
    // messages must not look abandoned to JetStream (it would hand them to another replica).
    const progress = setInterval(
      () => msgs.forEach((m) => quietly(() => m.working())),
      (this.settings.ackWaitSeconds * 1000) / 3,
    );
    try {
      await this.inserter.insert(signal, msgs);
    } catch (err) {
      // NATS or ClickHouse trouble: whatever is unacked is delivered again later.
      this.settler.handBack(msgs);
      throw err;
    } finally {
      clearInterval(progress);
      this.claims.release(signal, msgs);
    }
  }

  private async recordLag(): Promise<void> {
    for (const signal of SIGNALS) {
      try {
        const info = await this.bus.jsm.consumers.info(this.settings.stream, writerConsumerName(signal));
        this.metrics?.consumerPending.set({ signal }, info.num_pending + info.num_ack_pending);
      } catch {
        // NATS unreachable: the gauge keeps its last value.
      }
    }
  }
}
