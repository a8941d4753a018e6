// Piscina worker entry: decoding and row building run here, off the event loop that
// serves OTLP and API requests.
import { decodeToRows, type DecodeTask, type DecodeResult } from './decode-task.js';

export default function run(task: DecodeTask): DecodeResult {
  return decodeToRows(task);
}
