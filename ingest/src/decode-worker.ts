// Piscina worker entry: decoding and row building run here, off the event loop that
// serves OTLP and API requests.
import { decodeAndEncode, type DecodeTask, type EncodedResult } from './decode-task.js';

export default function run(task: DecodeTask): EncodedResult {
  return decodeAndEncode(task);
}
