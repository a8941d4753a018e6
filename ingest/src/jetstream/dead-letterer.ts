// Messages a JetStream writer cannot store go to the dead-letter stream with the reason:
// undecodable ones at once, and the ones ClickHouse refuses as data once they reached the
// poison limit. Finding which message of a batch ClickHouse refuses means splitting the
// batch: its messages are then inserted one by one.
import type { JsMsg } from '@nats-io/jetstream';
import { sendToDeadLetters, type BusConnection, type BusMessage } from '@telemetryflow/bus';
import type { InsertTable } from '@telemetryflow/clickhouse';
import type { Signal } from '@telemetryflow/otlp';
import type { ClickHouseWriter } from '../clickhouse-writer.js';
import { isDataError } from '../insert-errors.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { insertTables } from '../table-inserts.js';
import { manifestToken, type BatchManifest } from './batch-manifests.js';
import type { BatchEntry, BatchSettler } from './batch-settler.js';

export interface DeadLettererConfig {
  /** Deliveries after which a message ClickHouse still refuses as data becomes a dead letter. */
  poisonAfterDeliveries: number;
}

export class DeadLetterer {
  constructor(
    private readonly bus: BusConnection,
    private readonly writer: ClickHouseWriter,
    private readonly settler: BatchSettler,
    private readonly config: DeadLettererConfig,
    private readonly metrics: IngestMetrics | undefined,
    private readonly log: (msg: string) => void,
  ) {}

  /** Moves a message to the dead letters, then acks its delivery if we hold it. */
  async deadLetter(signal: Signal, msg: BusMessage, delivery: JsMsg | undefined, reason: string): Promise<void> {
    await sendToDeadLetters(this.bus, signal, msg, reason);
    this.metrics?.deadLetters.inc({ signal });
    this.log(`jetstream writer (${signal}): message ${msg.seq} moved to dead letters: ${reason}`);
    if (delivery) await this.settler.ackAll(signal, [delivery]);
  }

  /**
   * A batch ClickHouse refused as data, inserted message by message with deterministic
   * tokens (a replay is deduplicated) to isolate the refused messages, skipping the tables
   * whose combined insert had landed. The refused ones are delivered again, and at the
   * poison limit dead-lettered. Returns true when the batch is settled, false when it was
   * handed back for a retry.
   */
  async insertSplit(
    signal: Signal,
    manifest: BatchManifest,
    landed: readonly InsertTable[],
    entries: BatchEntry[],
    held: JsMsg[],
  ): Promise<boolean> {
    const token = manifestToken(manifest);
    const refused: { entry: BatchEntry; err: unknown }[] = [];
    for (const entry of entries) {
      try {
        await insertTables(this.writer, [entry.tables], `${token}-s${entry.msg.seq}`, new Set(landed));
      } catch (err) {
        if (!isDataError(err)) return this.settler.retryLater(signal, held, err);
        refused.push({ entry, err });
      }
    }
    if (refused.length > 0) {
      const deliveries = Math.max(...held.map((m) => m.info.deliveryCount));
      if (deliveries < this.config.poisonAfterDeliveries) return this.settler.retryLater(signal, held, refused[0]!.err);
      // Every refused message, also one whose delivery another batch holds (a redelivered
      // batch may come back in several pulls): that batch will find this one settled and
      // ack it unstored, so its dead letter must exist by then. The letter's message id
      // makes a second one from that batch a duplicate.
      for (const { entry, err } of refused)
        await this.deadLetter(signal, entry.msg, undefined, `ClickHouse refused the rows: ${(err as Error).message}`);
    }
    await this.settler.ackAll(signal, held);
    return true;
  }
}
