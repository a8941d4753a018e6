// Which stream messages a writer put into one ClickHouse insert, recorded before the insert
// and removed once every message of it is acked. A writer that dies between insert and
// ack leaves its manifest behind; whoever receives one of those messages again re-inserts
// exactly that set with exactly that deduplication token, so ClickHouse drops the repeat
// instead of storing the rows twice (a fresh grouping would carry a new token).
import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { InsertTable } from '@telemetryflow/clickhouse';
import type { Signal } from '@telemetryflow/otlp';
import type { BusConnection } from '@telemetryflow/bus';

export interface BatchManifest {
  signal: Signal;
  /** Stream sequences of the messages whose rows go into the insert, ascending. */
  seqs: number[];
  /**
   * Set once ClickHouse refused the combined insert as data: the batch is then inserted
   * message by message, in every replay too, skipping the tables whose combined insert had
   * landed before the refusal.
   */
  split?: { landed: InsertTable[] };
}

/** The KV key, which also names the batch: the stream sequence range it covers. */
export function manifestKey(m: BatchManifest): string {
  return `${m.signal}.${m.seqs[0]}_${m.seqs[m.seqs.length - 1]}_${m.seqs.length}`;
}

/** The ClickHouse `insert_deduplication_token` of a batch: derived from its sequence range. */
export function manifestToken(m: BatchManifest): string {
  return `js-${manifestKey(m).replace('.', '-')}`;
}

export class BatchManifestStore {
  private constructor(private readonly kv: KV) {}

  static async open(
    bus: BusConnection,
    bucket: string,
    replicas: number,
    ttlSeconds: number,
  ): Promise<BatchManifestStore> {
    const kv = await new Kvm(bus.js).create(bucket, {
      history: 1,
      storage: StorageType.File,
      replicas,
      // Stale manifests cannot outlive the messages they describe.
      ttl: ttlSeconds * 1000,
    });
    return new BatchManifestStore(kv);
  }

  async put(m: BatchManifest): Promise<void> {
    await this.kv.put(manifestKey(m), JSON.stringify(m.split ? { seqs: m.seqs, landed: m.split.landed } : m.seqs));
  }

  async remove(m: BatchManifest): Promise<void> {
    await this.kv.purge(manifestKey(m));
  }

  /** Every manifest of a signal still recorded: batches under way or left by a dead writer. */
  async list(signal: Signal): Promise<BatchManifest[]> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys(`${signal}.*`)) keys.push(k);
    const manifests: BatchManifest[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) continue;
      const value = entry.json<number[] | { seqs: number[]; landed: InsertTable[] }>();
      manifests.push(
        Array.isArray(value) ? { signal, seqs: value } : { signal, seqs: value.seqs, split: { landed: value.landed } },
      );
    }
    return manifests;
  }
}
