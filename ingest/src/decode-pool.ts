import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { DecodeTask, EncodedResult } from './decode-task.js';

export type DecodePool = Piscina<DecodeTask, EncodedResult>;

/** Worker threads that turn OTLP payloads into RowBinary; default one per core beyond the first. */
export function createDecodePool(threads = Math.max(1, availableParallelism() - 1)): DecodePool {
  return new Piscina<DecodeTask, EncodedResult>({
    filename: new URL('./decode-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
}
