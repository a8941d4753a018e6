// What a JetStream writer does once an insert's outcome is known: confirmed acks when the
// rows landed, a nak with a growing delay when they should be delivered again, and the batch
// manifests (recorded before the insert, purged once every member is acked; see
// docs/adr/0005-jetstream-exactly-once.md).
import type { JsMsg } from '@nats-io/jetstream';
import type { BusConnection, BusMessage, JetStreamSettings } from '@telemetryflow/bus';
import type { Signal } from '@telemetryflow/otlp';
import type { EncodedTables } from '../decode-task.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { BatchManifest, BatchManifestStore } from './batch-manifests.js';
import type { DeliveryClaims } from './delivery-claims.js';

/** One message of a batch: what was stored in the stream, and its delivery if we hold it. */
export interface BatchEntry {
  msg: BusMessage;
  delivery: JsMsg | undefined;
  tables: EncodedTables['tables'];
}

export interface BatchSettlerConfig {
  /** Longest wait before a batch that failed transiently is delivered again. */
  maxRetryDelayMs: number;
}

export class BatchSettler {
  constructor(
    private readonly bus: BusConnection,
    private readonly settings: JetStreamSettings,
    private readonly manifests: BatchManifestStore,
    private readonly claims: DeliveryClaims,
    private readonly config: BatchSettlerConfig,
    private readonly metrics: IngestMetrics | undefined,
    private readonly log: (msg: string) => void,
  ) {}

  /** The recorded batch each stream sequence of a signal belongs to, if any. */
  async recorded(signal: Signal): Promise<Map<number, BatchManifest>> {
    const recorded = new Map<number, BatchManifest>();
    for (const m of await this.manifests.list(signal)) for (const seq of m.seqs) recorded.set(seq, m);
    return recorded;
  }

  /** Records (or updates) a batch's manifest before its insert. */
  async record(manifest: BatchManifest): Promise<void> {
    await this.manifests.put(manifest);
  }

  /** The batch is settled: every member acked or dead-lettered. */
  async forget(manifest: BatchManifest): Promise<void> {
    await this.manifests.remove(manifest);
  }

  /** Forgets a recorded batch once none of its members is left in the stream. */
  async forgetIfSettled(manifest: BatchManifest): Promise<void> {
    for (const seq of manifest.seqs) if (await this.storedMessage(seq)) return;
    await this.manifests.remove(manifest);
  }

  /** A message still in the (work-queue) stream, so not acked yet; undefined once it is. */
  async storedMessage(seq: number): Promise<BusMessage | undefined> {
    const m = await this.bus.jsm.streams.getMessage(this.settings.stream, { seq }).catch((err: unknown) => {
      if (/no message found|not found/i.test((err as Error).message)) return null;
      throw err;
    });
    return m ? { seq, data: m.data, headers: m.header } : undefined;
  }

  async ackAll(signal: Signal, msgs: JsMsg[]): Promise<void> {
    // Confirmed acks: once they return, these messages cannot come back, so the
    // manifest can go.
    await Promise.all(msgs.map((m) => m.ackAck()));
    this.claims.acked(signal, msgs);
  }

  /** The insert failed transiently: the batch is delivered again later. Returns false (not settled). */
  retryLater(signal: Signal, held: JsMsg[], err: unknown): false {
    this.metrics?.insertErrors.inc({ signal });
    this.log(`jetstream writer: insert failed, batch will be delivered again: ${(err as Error).message}`);
    this.handBack(held);
    return false;
  }

  /** Naks deliveries so JetStream delivers them again, later with every delivery. */
  handBack(msgs: readonly JsMsg[]): void {
    for (const m of msgs) quietly(() => m.nak(this.retryDelay(m)));
  }

  private retryDelay(m: JsMsg): number {
    return Math.min(this.config.maxRetryDelayMs, 1000 * 2 ** Math.min(10, m.info.deliveryCount - 1));
  }
}

/** The deliveries we hold of a batch's entries. */
export function heldDeliveries(entries: readonly BatchEntry[]): JsMsg[] {
  return entries.flatMap((e) => (e.delivery ? [e.delivery] : []));
}

/** Nak and progress signals are hints: with the connection gone, JetStream redelivers anyway. */
export function quietly(signal: () => void): void {
  try {
    signal();
  } catch {
    // connection closed or draining
  }
}
