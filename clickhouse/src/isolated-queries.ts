import type { createClient } from '@clickhouse/client';

/** The connection contract `@clickhouse/client` runs on (the embedded engine implements it). */
export type EngineConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** Its output: bytes rendered, which the engine consumed regardless of what becomes of them. */
const DISCARD = 'SELECT 1';

/**
 * The embedded engine (libchdb) writes a query's output into one buffer per connection and hands
 * that buffer over only when a query succeeds; a failed one leaves what it had written there (rows
 * sent before a time limit or an exception, a `FORMAT JSON` frame with its statistics), and the next
 * query to succeed on the connection answers those bytes ahead of its own: another caller's, maybe
 * another tenant's, rows. So calls on the connection run one at a time, and after a failure a
 * throwaway query takes the leftover out before anyone else's query runs.
 *
 * The engine cannot interrupt a query: an aborted call is answered at once, but the next call starts
 * only when the engine has finished the aborted one (the engine runs one query per connection at a
 * time anyway), and the leftover is discarded if it failed.
 */
export function isolatedQueries(engine: EngineConnection): EngineConnection {
  let tail: Promise<unknown> = Promise.resolve();
  let dirty = false;

  async function discardLeftover(): Promise<void> {
    await engine.command({ query: DISCARD });
    dirty = false;
  }

  function run<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const done = tail.then(async () => {
      if (signal?.aborted) throw aborted(signal);
      // A discard that failed is retried here; if it fails again this call fails rather than
      // answering with someone else's bytes.
      if (dirty) await discardLeftover();
      try {
        return await call();
      } catch (err) {
        dirty = true;
        await discardLeftover().catch(() => undefined);
        throw err;
      }
    });
    tail = done.catch(() => undefined);
    return signal ? settleOnAbort(done, signal) : done;
  }

  // The signal stays here: passed down, the engine would answer early and let the next call start
  // while it is still writing the aborted query's output.
  return {
    query: ({ abort_signal, ...params }) => run(abort_signal, () => engine.query(params)),
    exec: ({ abort_signal, ...params }) => run(abort_signal, () => engine.exec(params)),
    command: ({ abort_signal, ...params }) => run(abort_signal, () => engine.command(params)),
    insert: ({ abort_signal, ...params }) => run(abort_signal, () => engine.insert(params)),
    ping: ({ abort_signal, ...params }) => run(abort_signal, () => engine.ping(params)),
    close: () => engine.close(),
  };
}

function aborted(signal: AbortSignal): Error {
  return new Error('The user aborted a request.', { cause: signal.reason });
}

function settleOnAbort<T>(done: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
