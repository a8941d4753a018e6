// JetStream → ClickHouse. Each signal has one durable pull consumer shared by every writer
// replica. A writer pulls a batch, decodes it in a worker thread, records the batch's
// manifest, inserts one block per table with a token derived from the batch's sequence
// range, and acks the messages only after the insert succeeded. Redelivered messages that
// belong to a recorded batch are re-inserted as that batch, so ClickHouse deduplicates them.
// Per signal one loop pulls while the batches pulled before it decode and insert, so the
// decoder thread, the insert and the pull of the next batch run at the same time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { InsertTable } from '@telemetryflow/clickhouse';
import { BUS_HEADERS, busSubject, isRoutableTenant, SIGNALS, type Signal } from '@telemetryflow/otlp';
import type { ClickHouseWriter } from '../clickhouse-writer.js';
import type { EncodedTables } from '../decode-task.js';
import { inBatchSpan } from '../batch-span.js';
import { isDataError } from '../insert-errors.js';
import { insertTables, tablesSize } from '../table-inserts.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { messageViews, type BatchDecodePool } from './batch-decode.js';
import { manifestToken, type BatchManifest, type BatchManifestStore } from './batch-manifests.js';
import { sendToDeadLetters, writerConsumerName, type BusConnection, type BusMessage, type JetStreamSettings } from '@telemetryflow/bus';

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

/** One message of a batch: what was stored in the stream, and its delivery if we hold it. */
interface Entry {
  msg: BusMessage;
  delivery: JsMsg | undefined;
  tables: EncodedTables['tables'];
}

type Decoded = { ok: true; tables: EncodedTables['tables'] } | { ok: false; reason: string };

/** A batch's messages decoded: each one's rows (views) or why it cannot be stored, and all rows. */
interface DecodedBatch {
  decoded: Decoded[];
  /** The rows of every decodable message, in message order: one block per table. */
  tables: EncodedTables['tables'];
}

export class JetStreamWriter {
  private stopping = false;
  /** `signal:seq` of the messages batches of this process are working on. */
  private readonly holding = new Set<string>();
  /** Stream sequences this process acked lately, per signal. */
  private readonly settled = new RecentSequences(100_000);
  private loops: Promise<void>[] = [];
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: BusConnection,
    private readonly settings: JetStreamSettings,
    private readonly writer: ClickHouseWriter,
    private readonly pool: BatchDecodePool,
    private readonly manifests: BatchManifestStore,
    private readonly config: JetStreamWriterConfig = DEFAULT_JETSTREAM_WRITER_CONFIG,
    private readonly metrics?: IngestMetrics,
    private readonly log: (msg: string) => void = console.error,
  ) {}

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
        msgs = await this.pullBatch(consumer);
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

  /**
   * One batch: pulls until maxBytes arrived, a pull found less than it asked for (nothing
   * more is waiting), or maxDelayMs passed. Under load a batch spans several pulls, since the
   * client library asks for at most 100 messages per pull.
   */
  private async pullBatch(consumer: Consumer): Promise<JsMsg[]> {
    const deadline = performance.now() + Math.max(1000, this.config.maxDelayMs);
    const msgs: JsMsg[] = [];
    let bytes = 0;
    for (;;) {
      // A pull smaller than the largest possible message would stall on it.
      const maxBytes = Math.max(this.config.maxBytes - bytes, (this.bus.nc.info?.max_payload ?? 0) + 64 * 1024);
      const expires = Math.max(1000, Math.round(deadline - performance.now()));
      let pull: { msgs: JsMsg[]; complete: boolean };
      try {
        pull = await this.pull(consumer, maxBytes, expires);
      } catch (err) {
        if (msgs.length === 0) throw err;
        return msgs;
      }
      for (const m of pull.msgs) {
        msgs.push(m);
        bytes += m.data.byteLength;
      }
      if (!pull.complete || bytes >= this.config.maxBytes || performance.now() >= deadline || this.stopping) return msgs;
    }
  }

  /**
   * One pull request. `complete`: it got every message it asked for, so more may be waiting.
   * The pull runs to its end: messages already requested would otherwise sit unacked until
   * the ack wait runs out.
   */
  private async pull(consumer: Consumer, maxBytes: number, expires: number): Promise<{ msgs: JsMsg[]; complete: boolean }> {
    const iter = await consumer.fetch({ max_bytes: maxBytes, expires });
    // With a byte limit the library also asks for a number of messages; when all of them
    // arrived below the byte limit, the pull is over in the server, but the library waits
    // for the expiry and two missed heartbeats (1.5 s with a 1 s expiry) before it ends it.
    // The fetch's own notification says how many it asked for: stop once they are here.
    let asked: number | undefined;
    void (async () => {
      for await (const s of iter.status()) if (s.type === 'next') asked = s.options.batch;
    })();
    // While NATS is unreachable the library pauses its heartbeat check and nothing ends the
    // pull (nor stop(), which waits for it): end it when the server would have, after the
    // expiry and two missed heartbeats of expires / 2 each.
    const deadline = setTimeout(() => iter.stop(), 2 * expires + 1000);
    const msgs: JsMsg[] = [];
    try {
      for await (const m of iter) {
        msgs.push(m);
        if (msgs.length === asked) break;
      }
    } catch (err) {
      // The pull ended early (missed heartbeats, lost connection): what arrived is still ours.
      if (msgs.length === 0) throw err;
    } finally {
      clearTimeout(deadline);
    }
    return { msgs, complete: msgs.length === asked };
  }

  private async process(signal: Signal, pulled: JsMsg[]): Promise<void> {
    const redelivered = pulled.filter((m) => m.info.deliveryCount > 1).length;
    if (redelivered > 0) this.metrics?.redeliveries.inc({ signal }, redelivered);
    // JetStream may hand out one delivery twice (seen with nats-server 2.9 pull requests),
    // even after it was acked: keep one copy per sequence, and drop what this process
    // has already settled (acks are confirmed, so such a copy is stale).
    const bySeq = new Map<number, JsMsg>();
    for (const m of pulled) {
      const kept = bySeq.get(m.seq);
      // Settled here already, or in the hands of another batch of this process.
      if (this.settled.has(signal, m.seq) || this.holding.has(`${signal}:${m.seq}`)) continue;
      if (!kept || m.info.deliveryCount > kept.info.deliveryCount) bySeq.set(m.seq, m);
    }
    const msgs = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const keys = msgs.map((m) => `${signal}:${m.seq}`);
    for (const k of keys) this.holding.add(k);
    // From the pull on, also while the batch waits for the decoder or earlier inserts, its
    // messages must not look abandoned to JetStream (it would hand them to another replica).
    const progress = setInterval(() => msgs.forEach((m) => quietly(() => m.working())), (this.settings.ackWaitSeconds * 1000) / 3);
    try {
      await this.route(signal, msgs);
    } catch (err) {
      // NATS or ClickHouse trouble: whatever is unacked is delivered again later.
      for (const m of msgs) quietly(() => m.nak(this.retryDelay(m)));
      throw err;
    } finally {
      clearInterval(progress);
      for (const k of keys) this.holding.delete(k);
    }
  }

  private async route(signal: Signal, msgs: JsMsg[]): Promise<void> {
    // Any message may belong to a recorded batch (redelivered, or a duplicate delivery of
    // one under way): those are inserted as that batch.
    const recorded = new Map<number, BatchManifest>();
    for (const m of await this.manifests.list(signal)) for (const seq of m.seqs) recorded.set(seq, m);
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
    const { decoded, tables } = await this.decodeBatch(signal, msgs);
    const entries: Entry[] = [];
    // Poison is set aside before the manifest is written: a manifest lists only messages
    // whose rows go into its insert (see replay()).
    for (const [i, m] of msgs.entries()) {
      const d = decoded[i]!;
      if (d.ok) entries.push({ msg: m, delivery: m, tables: d.tables });
      else await this.deadLetter(signal, m, m, d.reason);
    }
    if (entries.length === 0) return;
    const manifest: BatchManifest = { signal, seqs: entries.map((e) => e.msg.seq) };
    await this.manifests.put(manifest);
    if (await this.settle(signal, manifest, entries, tables)) await this.manifests.remove(manifest);
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
      const m = heldBySeq.get(seq) ?? (await this.storedMessage(seq));
      if (!m) {
        await this.ackAll(signal, held);
        await this.removeIfSettled(manifest);
        return;
      }
      stored.push(m);
    }
    const { decoded, tables } = await this.decodeBatch(signal, stored);
    const entries: Entry[] = [];
    for (const [i, m] of stored.entries()) {
      const d = decoded[i]!;
      if (d.ok) entries.push({ msg: m, delivery: heldBySeq.get(m.seq), tables: d.tables });
      else if (heldBySeq.has(m.seq)) await this.deadLetter(signal, m, heldBySeq.get(m.seq)!, d.reason);
    }
    if (await this.settle(signal, manifest, entries, tables)) await this.removeIfSettled(manifest);
  }

  /**
   * Inserts a batch and acks what we hold of it. `tables` holds the rows of all entries, in
   * their order. Returns true when the batch is settled (inserted or dead-lettered, and
   * acked); false when it was handed back for a retry.
   */
  private settle(signal: Signal, manifest: BatchManifest, entries: Entry[], tables: EncodedTables['tables']): Promise<boolean> {
    const attributes = { 'telemetryflow.signal': signal, 'telemetryflow.messages': entries.length, 'telemetryflow.batch': manifestToken(manifest) };
    return inBatchSpan('ingest.batch', attributes, () => this.insertAndAck(signal, manifest, entries, tables));
  }

  private async insertAndAck(signal: Signal, manifest: BatchManifest, entries: Entry[], tables: EncodedTables['tables']): Promise<boolean> {
    const held = entries.flatMap((e) => (e.delivery ? [e.delivery] : []));
    if (manifest.split) return this.insertSplit(signal, manifest, manifest.split.landed, entries, held);
    const landed = new Set<InsertTable>();
    const started = performance.now();
    try {
      await insertTables(this.writer, [tables], manifestToken(manifest), landed);
    } catch (err) {
      if (!isDataError(err)) return this.retryLater(signal, held, err);
      // One request's rows are refused. From now on, in every replay too, the batch goes in
      // message by message: a combined insert after some went in alone (the refusal passed,
      // or a split was cut short) would store those again under its own token.
      const split = { landed: [...landed] };
      await this.manifests.put({ ...manifest, split });
      return this.insertSplit(signal, manifest, split.landed, entries, held);
    }
    this.recordInsert(signal, entries, started);
    await this.ackAll(signal, held);
    return true;
  }

  /**
   * A batch ClickHouse refused as data, inserted message by message with deterministic
   * tokens (a replay is deduplicated) to isolate the refused messages, skipping the tables
   * whose combined insert had landed. The refused ones are delivered again, and at the
   * poison limit dead-lettered.
   */
  private async insertSplit(signal: Signal, manifest: BatchManifest, landed: readonly InsertTable[], entries: Entry[], held: JsMsg[]): Promise<boolean> {
    const token = manifestToken(manifest);
    const refused: { entry: Entry; err: unknown }[] = [];
    for (const entry of entries) {
      try {
        await insertTables(this.writer, [entry.tables], `${token}-s${entry.msg.seq}`, new Set(landed));
      } catch (err) {
        if (!isDataError(err)) return this.retryLater(signal, held, err);
        refused.push({ entry, err });
      }
    }
    if (refused.length > 0) {
      const deliveries = Math.max(...held.map((m) => m.info.deliveryCount));
      if (deliveries < this.config.poisonAfterDeliveries) return this.retryLater(signal, held, refused[0]!.err);
      // Every refused message, also one whose delivery another batch holds (a redelivered
      // batch may come back in several pulls): that batch will find this one settled and
      // ack it unstored, so its dead letter must exist by then. The letter's message id
      // makes a second one from that batch a duplicate.
      for (const { entry, err } of refused) await this.deadLetter(signal, entry.msg, undefined, `ClickHouse refused the rows: ${(err as Error).message}`);
    }
    await this.ackAll(signal, held);
    return true;
  }

  private retryLater(signal: Signal, held: JsMsg[], err: unknown): false {
    this.metrics?.insertErrors.inc({ signal });
    this.log(`jetstream writer: insert failed, batch will be delivered again: ${(err as Error).message}`);
    for (const m of held) quietly(() => m.nak(this.retryDelay(m)));
    return false;
  }

  private retryDelay(m: JsMsg): number {
    return Math.min(this.config.maxRetryDelayMs, 1000 * 2 ** Math.min(10, m.info.deliveryCount - 1));
  }

  private async ackAll(signal: Signal, msgs: JsMsg[]): Promise<void> {
    // Confirmed acks: once they return, these messages cannot come back, so the
    // manifest can go.
    await Promise.all(msgs.map((m) => m.ackAck()));
    for (const m of msgs) this.settled.add(signal, m.seq);
  }

  private async removeIfSettled(manifest: BatchManifest): Promise<void> {
    for (const seq of manifest.seqs) if (await this.storedMessage(seq)) return;
    await this.manifests.remove(manifest);
  }

  private async storedMessage(seq: number): Promise<BusMessage | undefined> {
    const m = await this.bus.jsm.streams.getMessage(this.settings.stream, { seq }).catch((err: unknown) => {
      if (/no message found|not found/i.test((err as Error).message)) return null;
      throw err;
    });
    return m ? { seq, data: m.data, headers: m.header } : undefined;
  }

  /** Decodes a batch's messages in one task of a decoder thread. */
  private async decodeBatch(signal: Signal, msgs: readonly BusMessage[]): Promise<DecodedBatch> {
    const headerProblems = msgs.map((m) => headerProblem(signal, m));
    const sent = msgs.filter((_, i) => headerProblems[i] === undefined);
    const result =
      sent.length === 0
        ? { outcomes: [], tables: {} }
        : await this.pool.run({
            signal,
            messages: sent.map((m) => ({
              tenantId: m.headers!.get(BUS_HEADERS.tenant),
              receivedAtNs: m.headers!.get(BUS_HEADERS.receivedAtNs),
              // Messages of collectors that did not check retention carry none.
              notBeforeNs: m.headers!.get(BUS_HEADERS.notBeforeNs) || '0',
              payload: m.data,
            })),
          });
    const views = messageViews(result);
    let next = 0;
    const decoded = msgs.map((_, i): Decoded => {
      const problem = headerProblems[i];
      if (problem !== undefined) return { ok: false, reason: problem };
      const outcome = result.outcomes[next]!;
      const tables = views[next++];
      return outcome.ok ? { ok: true, tables: tables! } : { ok: false, reason: `undecodable OTLP payload: ${outcome.malformed}` };
    });
    return { decoded, tables: result.tables };
  }

  private async deadLetter(signal: Signal, msg: BusMessage, delivery: JsMsg | undefined, reason: string): Promise<void> {
    await sendToDeadLetters(this.bus, signal, msg, reason);
    this.metrics?.deadLetters.inc({ signal });
    this.log(`jetstream writer (${signal}): message ${msg.seq} moved to dead letters: ${reason}`);
    if (delivery) await this.ackAll(signal, [delivery]);
  }

  private recordInsert(signal: Signal, entries: Entry[], started: number): void {
    if (!this.metrics) return;
    let rows = 0;
    for (const e of entries) rows += tablesSize(e.tables).rows;
    this.metrics.batchRows.observe({ signal }, rows);
    this.metrics.insertSeconds.observe({ signal }, (performance.now() - started) / 1000);
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

/** Why a message cannot be decoded as its headers stand, if it cannot. */
function headerProblem(signal: Signal, m: BusMessage): string | undefined {
  const tenantId = m.headers?.get(BUS_HEADERS.tenant) ?? '';
  const receivedAtNs = m.headers?.get(BUS_HEADERS.receivedAtNs) ?? '';
  if (!isRoutableTenant(tenantId)) return `missing or invalid ${BUS_HEADERS.tenant} header`;
  if ('subject' in m && m.subject !== busSubject(signal, tenantId)) return `subject ${String(m.subject)} does not match the tenant header`;
  if (!/^\d{1,20}$/.test(receivedAtNs)) return `missing or invalid ${BUS_HEADERS.receivedAtNs} header`;
  const notBeforeNs = m.headers?.get(BUS_HEADERS.notBeforeNs) ?? '';
  if (notBeforeNs !== '' && !/^\d{1,19}$/.test(notBeforeNs)) return `invalid ${BUS_HEADERS.notBeforeNs} header`;
  return undefined;
}

/** Nak and progress signals are hints: with the connection gone, JetStream redelivers anyway. */
function quietly(signal: () => void): void {
  try {
    signal();
  } catch {
    // connection closed or draining
  }
}

/** A bounded set of recent stream sequences per signal (oldest forgotten first). */
class RecentSequences {
  private readonly sets = new Map<Signal, Set<number>>();

  constructor(private readonly capacity: number) {}

  has(signal: Signal, seq: number): boolean {
    return this.sets.get(signal)?.has(seq) ?? false;
  }

  add(signal: Signal, seq: number): void {
    let set = this.sets.get(signal);
    if (!set) this.sets.set(signal, (set = new Set()));
    set.add(seq);
    // Sets iterate in insertion order: the first is the oldest.
    if (set.size > this.capacity) set.delete(set.values().next().value!);
  }
}
