// Piscina worker entry of the JetStream writers: a whole batch per task (see batch-decode.ts).
import type { InsertTable } from '@telemetryflow/clickhouse';
import { transferring } from '@telemetryflow/worker-pool';
import { decodeAndEncode, type EncodedTables } from '../decode-task.js';
import type { BatchDecodeResult, BatchDecodeTask, MessageOutcome, MessageTables } from './batch-decode.js';

/** One table's rows of a batch, written as they are decoded (a request's own buffer dies young). */
class TableBlock {
  private data: Uint8Array;
  length = 0;
  rows = 0;

  constructor(capacity: number) {
    this.data = new Uint8Array(capacity);
  }

  append(part: Uint8Array, rows: number): void {
    if (this.length + part.byteLength > this.data.byteLength) {
      const grown = new Uint8Array(Math.max(this.data.byteLength * 2, this.length + part.byteLength));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(part, this.length);
    this.length += part.byteLength;
    this.rows += rows;
  }

  /** The rows, in a buffer of the block's own: moving it detaches nothing else. */
  take(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

export default function run(task: BatchDecodeTask): BatchDecodeResult {
  // Rows take about twice their protobuf's bytes; a block grows if it needs more.
  const capacity = 2 * task.messages.reduce((sum, m) => sum + m.payload.byteLength, 0) + 64 * 1024;
  const blocks = new Map<InsertTable, TableBlock>();
  const outcomes: MessageOutcome[] = task.messages.map((m) => {
    const decoded = decodeAndEncode({ ...m, signal: task.signal, encoding: 'protobuf' });
    if (!decoded.ok) return { ok: false, malformed: decoded.malformed };
    const sizes: MessageTables = {};
    for (const [table, rows] of Object.entries(decoded.batch.tables) as [
      InsertTable,
      { data: Uint8Array; rows: number },
    ][]) {
      let block = blocks.get(table);
      if (!block)
        blocks.set(table, (block = new TableBlock(table === 'spans' || table === 'logs' ? capacity : 64 * 1024)));
      block.append(rows.data, rows.rows);
      sizes[table] = { rows: rows.rows, bytes: rows.data.byteLength };
    }
    return { ok: true, tables: sizes };
  });
  const tables: EncodedTables['tables'] = {};
  const buffers: ArrayBuffer[] = [];
  for (const [table, block] of blocks) {
    const data = block.take();
    tables[table] = { data, rows: block.rows };
    buffers.push(data.buffer as ArrayBuffer);
  }
  return transferring<BatchDecodeResult>({ outcomes, tables }, buffers);
}
