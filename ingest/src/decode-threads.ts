import { createWorkerPool } from '@telemetryflow/worker-pool';
import type { Piscina } from 'piscina';
import type { DecodeOutput, DecodeTask } from './decode-task.js';

export type DecodePool = Piscina<DecodeTask, DecodeOutput>;

/** Threads that turn OTLP payloads into RowBinary. */
export function createDecodePool(threads?: number, maxQueue?: number): DecodePool {
  return createWorkerPool<DecodeTask, DecodeOutput>(new URL('./decode-worker.js', import.meta.url), threads, maxQueue);
}
