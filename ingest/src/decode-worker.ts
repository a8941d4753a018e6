// Piscina worker entry: decoding and row building run here, off the event loop that
// serves OTLP and API requests.
import { transferring } from '@telemetryflow/worker-pool';
import { decodeAndEncode, type DecodeOutput, type DecodeTask } from './decode-task.js';
import { requestIdentity } from './request-ledger.js';

export default function run(task: DecodeTask): DecodeOutput {
  // The payload is hashed here too, off the event loop (~0.7 ms per MiB).
  return movable({ identity: requestIdentity(task), result: decodeAndEncode(task) });
}

/**
 * Sends the RowBinary back by transfer, each table in a buffer of exactly its size. A
 * cloned view carries its whole backing buffer (the writer's, grown well past its rows),
 * and every byte that arrives counts as external memory of the main thread, whose growth
 * triggered most of the main thread's major garbage collections under load.
 */
function movable(output: DecodeOutput): DecodeOutput {
  const { result } = output;
  if (!result.ok) return output;
  const buffers: ArrayBuffer[] = [];
  for (const table of Object.values(result.batch.tables)) {
    const { data } = table;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) table.data = new Uint8Array(data);
    buffers.push(table.data.buffer as ArrayBuffer);
  }
  return transferring(output, buffers);
}
