import { availableParallelism } from 'node:os';
import { OverloadedError } from '@telemetryflow/otlp';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';

/**
 * Young generation of each worker thread. One task holds a whole decoded request (about
 * 30,000 objects for 1,000 spans) until its rows are encoded; with V8's default young
 * generation those survive a scavenge or two and get copied, and decoding spent most of its
 * time in the garbage collector. With room for a few requests they die young (measured:
 * 18% fewer instructions per span; a larger one gained nothing more).
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/**
 * Tasks waiting for a decoder thread at most. Requests are admitted by their bytes before
 * they get here (collector/src/admission.ts), which bounds the queue's memory; this bounds
 * its length too, whatever the requests' sizes.
 */
export const DECODE_QUEUE_LIMIT = 4096;

/**
 * Worker threads for CPU-heavy OTLP work (decode, validate, encode), off the event loop
 * that serves requests; default one per core beyond the first.
 */
export function createWorkerPool<T, R>(
  worker: URL,
  threads = Math.max(1, availableParallelism() - 1),
  maxQueue = DECODE_QUEUE_LIMIT,
): Piscina<T, R> {
  return new Piscina<T, R>({
    filename: worker.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    maxQueue,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
}

/** Runs a task, or refuses it with OverloadedError (the client is throttled) when the queue is full. */
export function runQueued<T, R>(pool: Piscina<T, R>, task: T): Promise<R> {
  const limit = pool.options.maxQueue;
  if (pool.queueSize >= limit)
    return Promise.reject(new OverloadedError(`${limit} requests are waiting to be decoded`));
  return pool.run(task);
}

/** A worker's result whose buffers move to the main thread instead of being copied. */
class MovedResult<T extends object> {
  constructor(
    private readonly result: T,
    private readonly buffers: ArrayBuffer[],
  ) {}

  get [transferableSymbol](): ArrayBuffer[] {
    return this.buffers;
  }

  get [valueSymbol](): T {
    return this.result;
  }
}

/** What a worker entry returns so that `buffers` are transferred with `result` (Piscina unwraps it). */
export function transferring<T extends object>(result: T, buffers: ArrayBuffer[]): T {
  return move(new MovedResult(result, buffers)) as unknown as T;
}
