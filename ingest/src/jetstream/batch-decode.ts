// A writer's batch goes to a decoder thread as one task, not one per message: the thread
// decodes every message, writes the rows of all of them as one RowBinary block per table,
// and hands those blocks back by transfer. The event loop then neither copies a message's
// rows back nor concatenates them for the insert: large buffers made on the main thread
// are what drives V8's full collections there.
import type { InsertTable } from '@telemetryflow/clickhouse';
import type { Signal } from '@telemetryflow/otlp';
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
  return createWorkerPool<BatchDecodeTask, BatchDecodeResult>(new URL('./batch-decode-worker.js', import.meta.url), threads);
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
