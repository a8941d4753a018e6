// One claimed batch of deliveries into ClickHouse exactly once (docs/adr/0005): fresh
// messages get a manifest, then one insert per table with the manifest's token; messages of
// a recorded manifest (redelivered, or a duplicate delivery of a batch under way) are
// inserted again as exactly that batch, so ClickHouse drops what already landed. The settler
// acks or hands back after the outcome; the dead-letterer takes what cannot be stored.
import type { JsMsg } from '@nats-io/jetstream';
import type { BusMessage } from '@telemetryflow/bus';
import type { InsertTable } from '@telemetryflow/clickhouse';
import type { Signal } from '@telemetryflow/otlp';
import { inBatchSpan } from '../batch-span.js';
import type { ClickHouseWriter } from '../clickhouse-writer.js';
import type { EncodedTables } from '../decode-task.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { isDataError } from '../insert-errors.js';
import { insertTables, tablesSize } from '../table-inserts.js';
import { decodeBatch, type BatchDecodePool } from './batch-decode.js';
import { manifestToken, type BatchManifest } from './batch-manifests.js';
import { heldDeliveries, type BatchEntry, type BatchSettler } from './batch-settler.js';
import type { DeadLetterer } from './dead-letterer.js';

export class BatchInserter {
  constructor(
    private readonly writer: ClickHouseWriter,
    private readonly pool: BatchDecodePool,
    private readonly settler: BatchSettler,
    private readonly deadLetterer: DeadLetterer,
    private readonly metrics: IngestMetrics | undefined,
  ) {}

  async insert(signal: Signal, msgs: JsMsg[]): Promise<void> {
    // Any message may belong to a recorded batch (redelivered, or a duplicate delivery of
    // one under way): those are inserted as that batch.
    const recorded = await this.settler.recorded(signal);
    const fresh: JsMsg[] = [];
    const groups = new Map<BatchManifest, JsMsg[]>();
    for (const m of msgs) {
      const manifest = recorded.get(m.seq);
      if (!manifest) fresh.push(m);
      else groups.set(manifest, [...(groups.get(manifest) ?? []), m]);
    }
    for (const [manifest, held] of groups) await this.replay(signal, manifest, held);
    if (fresh.length > 0) await this.insertFresh(signal, fresh);
  }

  private async insertFresh(signal: Signal, msgs: JsMsg[]): Promise<void> {
    const { decoded, tables } = await decodeBatch(this.pool, signal, msgs);
    const entries: BatchEntry[] = [];
    // Poison is set aside before the manifest is written: a manifest lists only messages
    // whose rows go into its insert (see replay()).
    for (const [i, m] of msgs.entries()) {
      const d = decoded[i]!;
      if (d.ok) entries.push({ msg: m, delivery: m, tables: d.tables });
      else await this.deadLetterer.deadLetter(signal, m, m, d.reason);
    }
    if (entries.length === 0) return;
    const manifest: BatchManifest = { signal, seqs: entries.map((e) => e.msg.seq) };
    await this.settler.record(manifest);
    if (await this.settle(signal, manifest, entries, tables)) await this.settler.forget(manifest);
  }

  /**
   * Messages of a batch recorded by a writer that died or gave up before acking all of
   * them. Acks follow only once the whole batch is settled (inserted, its refused messages
   * dead-lettered), so a message of the manifest missing from the stream means the batch
   * landed; otherwise it is inserted again as the same batch, and ClickHouse drops what
   * already landed.
   */
  private async replay(signal: Signal, manifest: BatchManifest, held: JsMsg[]): Promise<void> {
    const heldBySeq = new Map(held.map((m) => [m.seq, m]));
    const stored: BusMessage[] = [];
    for (const seq of manifest.seqs) {
      const m = heldBySeq.get(seq) ?? (await this.settler.storedMessage(seq));
      if (!m) {
        await this.settler.ackAll(signal, held);
        await this.settler.forgetIfSettled(manifest);
        return;
      }
      stored.push(m);
    }
    const { decoded, tables } = await decodeBatch(this.pool, signal, stored);
    const entries: BatchEntry[] = [];
    for (const [i, m] of stored.entries()) {
      const d = decoded[i]!;
      if (d.ok) entries.push({ msg: m, delivery: heldBySeq.get(m.seq), tables: d.tables });
      else if (heldBySeq.has(m.seq)) await this.deadLetterer.deadLetter(signal, m, heldBySeq.get(m.seq)!, d.reason);
    }
    if (await this.settle(signal, manifest, entries, tables)) await this.settler.forgetIfSettled(manifest);
  }

  /**
   * Inserts a batch and acks what we hold of it. `tables` holds the rows of all entries, in
   * their order. Returns true when the batch is settled (inserted or dead-lettered, and
   * acked); false when it was handed back for a retry.
   */
  private settle(
    signal: Signal,
    manifest: BatchManifest,
    entries: BatchEntry[],
    tables: EncodedTables['tables'],
  ): Promise<boolean> {
    const attributes = {
      'telemetryflow.signal': signal,
      'telemetryflow.messages': entries.length,
      'telemetryflow.batch': manifestToken(manifest),
    };
    return inBatchSpan('ingest.batch', attributes, () => this.insertAndAck(signal, manifest, entries, tables));
  }

  private async insertAndAck(
    signal: Signal,
    manifest: BatchManifest,
    entries: BatchEntry[],
    tables: EncodedTables['tables'],
  ): Promise<boolean> {
    const held = heldDeliveries(entries);
    if (manifest.split) return this.deadLetterer.insertSplit(signal, manifest, manifest.split.landed, entries, held);
    const landed = new Set<InsertTable>();
    const started = performance.now();
    try {
      await insertTables(this.writer, [tables], manifestToken(manifest), landed);
    } catch (err) {
      if (!isDataError(err)) return this.settler.retryLater(signal, held, err);
      // One request's rows are refused. From now on, in every replay too, the batch goes in
      // message by message: a combined insert after some went in alone (the refusal passed,
      // or a split was cut short) would store those again under its own token.
      const split = { landed: [...landed] };
      await this.settler.record({ ...manifest, split });
      return this.deadLetterer.insertSplit(signal, manifest, split.landed, entries, held);
    }
    this.recordInsert(signal, entries, started);
    await this.settler.ackAll(signal, held);
    return true;
  }

  private recordInsert(signal: Signal, entries: BatchEntry[], started: number): void {
    if (!this.metrics) return;
    let rows = 0;
    for (const e of entries) rows += tablesSize(e.tables).rows;
    this.metrics.batchRows.observe({ signal }, rows);
    this.metrics.insertSeconds.observe({ signal }, (performance.now() - started) / 1000);
  }
}
