// A writer's batch goes to a decoder thread as one task, not one per message: the thread
// decodes every message, writes the rows of all of them as one RowBinary block per table,
// and hands those blocks back by transfer. The event loop then neither copies a message's
// rows back nor concatenates them for the insert: large buffers made on the main thread
// are what drives V8's full collections there.
import type { BusMessage } from '@telemetryflow/bus';
import type { InsertTable } from '@telemetryflow/clickhouse';
import { BUS_HEADERS, busSubject, isRoutableTenant, type Signal } from '@telemetryflow/otlp';
import type { Piscina } from 'piscina';
import { createWorkerPool } from '@telemetryflow/worker-pool';
import type { EncodedTables } from '../decode-task.js';

export interface BatchDecodeTask {
  signal: Signal;
  messages: { tenantId: string; receivedAtNs: string; notBeforeNs: string; payload: Uint8Array }[];
}

/** Rows and bytes one message put into each table's block. */
export type MessageTables = Partial<Record<InsertTable, { rows: number; bytes: number }>>;

export type MessageOutcome = { ok: true; tables: MessageTables } | { ok: false; malformed: string };

export interface BatchDecodeResult {
  /** One per message of the task, in its order. */
  outcomes: MessageOutcome[];
  /** The rows of every decodable message, in message order, one block per table. */
  tables: EncodedTables['tables'];
}

export type BatchDecodePool = Piscina<BatchDecodeTask, BatchDecodeResult>;

/** Decoder threads of the JetStream writers (default one per core beyond the first). */
export function createBatchDecodePool(threads?: number): BatchDecodePool {
  return createWorkerPool<BatchDecodeTask, BatchDecodeResult>(
    new URL('./batch-decode-worker.js', import.meta.url),
    threads,
  );
}

/**
 * The rows of each decodable message as views into the batch's blocks (no copies): what
 * a message inserted alone carries when a batch is split to find the rows ClickHouse refuses.
 */
export function messageViews(result: BatchDecodeResult): (EncodedTables['tables'] | undefined)[] {
  const offsets = new Map<InsertTable, number>();
  return result.outcomes.map((outcome) => {
    if (!outcome.ok) return undefined;
    const views: EncodedTables['tables'] = {};
    for (const [table, size] of Object.entries(outcome.tables) as [InsertTable, { rows: number; bytes: number }][]) {
      const start = offsets.get(table) ?? 0;
      views[table] = { data: result.tables[table]!.data.subarray(start, start + size.bytes), rows: size.rows };
      offsets.set(table, start + size.bytes);
    }
    return views;
  });
}

/** One message of a batch decoded: its rows (views into the batch's blocks) or why it cannot be stored. */
export type DecodedMessage = { ok: true; tables: EncodedTables['tables'] } | { ok: false; reason: string };

/** A batch's messages decoded: each one's rows (views) or why it cannot be stored, and all rows. */
export interface DecodedBatch {
  decoded: DecodedMessage[];
  /** The rows of every decodable message, in message order: one block per table. */
  tables: EncodedTables['tables'];
}

/** Decodes a batch's messages in one task of a decoder thread. */
export async function decodeBatch(
  pool: BatchDecodePool,
  signal: Signal,
  msgs: readonly BusMessage[],
): Promise<DecodedBatch> {
  const headerProblems = msgs.map((m) => headerProblem(signal, m));
  const sent = msgs.filter((_, i) => headerProblems[i] === undefined);
  const result =
    sent.length === 0
      ? { outcomes: [], tables: {} }
      : await pool.run({
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
  const decoded = msgs.map((_, i): DecodedMessage => {
    const problem = headerProblems[i];
    if (problem !== undefined) return { ok: false, reason: problem };
    const outcome = result.outcomes[next]!;
    const tables = views[next++];
    return outcome.ok
      ? { ok: true, tables: tables! }
      : { ok: false, reason: `undecodable OTLP payload: ${outcome.malformed}` };
  });
  return { decoded, tables: result.tables };
}

/** Why a message cannot be decoded as its headers stand, if it cannot. */
function headerProblem(signal: Signal, m: BusMessage): string | undefined {
  const tenantId = m.headers?.get(BUS_HEADERS.tenant) ?? '';
  const receivedAtNs = m.headers?.get(BUS_HEADERS.receivedAtNs) ?? '';
  if (!isRoutableTenant(tenantId)) return `missing or invalid ${BUS_HEADERS.tenant} header`;
  if ('subject' in m && m.subject !== busSubject(signal, tenantId))
    return `subject ${String(m.subject)} does not match the tenant header`;
  if (!/^\d{1,20}$/.test(receivedAtNs)) return `missing or invalid ${BUS_HEADERS.receivedAtNs} header`;
  const notBeforeNs = m.headers?.get(BUS_HEADERS.notBeforeNs) ?? '';
  if (notBeforeNs !== '' && !/^\d{1,19}$/.test(notBeforeNs)) return `invalid ${BUS_HEADERS.notBeforeNs} header`;
  return undefined;
}
