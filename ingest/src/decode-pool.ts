import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { DecodeTask, EncodedResult } from './decode-task.js';

/**
 * Worker threads for CPU-heavy OTLP work (decode, validate, encode), off the event loop
 * that serves requests; default one per core beyond the first.
 */
export function createWorkerPool<T, R>(worker: URL, threads = Math.max(1, availableParallelism() - 1)): Piscina<T, R> {
  return new Piscina<T, R>({ filename: worker.href, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
}

export type DecodePool = Piscina<DecodeTask, EncodedResult>;

/** Threads that turn OTLP payloads into RowBinary. */
export function createDecodePool(threads?: number): DecodePool {
  return createWorkerPool<DecodeTask, EncodedResult>(new URL('./decode-worker.js', import.meta.url), threads);
}
