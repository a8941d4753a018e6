// Piscina worker entry: decoding, validation and re-encoding run here, off the event loop
// that serves OTLP requests.
import { prepareForBus, type PrepareResult, type PrepareTask } from './bus-prepare.js';

export default function run(task: PrepareTask): PrepareResult {
  return prepareForBus(task);
}
