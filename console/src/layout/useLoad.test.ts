import { describe, expect, it } from 'vitest';
import { useLoad } from './useLoad.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('useLoad', () => {
  it('keeps the answer of the latest request when an earlier one finishes last', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const load = useLoad((p: Promise<string>) => p);
    const a = load.run(first.promise);
    const b = load.run(second.promise);
    second.resolve('new');
    await b;
    first.resolve('old');
    await a;
    expect(load.data.value).toBe('new');
    expect(load.loading.value).toBe(false);
  });

  it('exposes the error and clears it on the next request', async () => {
    const load = useLoad(async (fail: boolean) => {
      if (fail) throw new Error('boom');
      return 1;
    });
    await load.run(true);
    expect((load.error.value as Error).message).toBe('boom');
    await load.run(false);
    expect(load.error.value).toBeNull();
    expect(load.data.value).toBe(1);
  });
});
