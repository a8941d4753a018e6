import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadGate, ReadsBusyError } from './read-gate.js';

/** A read that runs until `finish()` is called. */
function pending(log: string[], name: string): { read: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    read: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

describe('ReadGate', () => {
  it('runs `limit` reads at once, the others in arrival order, and refuses reads past the waiting bound', async () => {
    const gate = new ReadGate(1, 2);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => pending(log, n));
    const runs = [gate.run(a!.read), gate.run(b!.read), gate.run(c!.read)];
    await assert.rejects(
      gate.run(async () => 'd'),
      (e: unknown) => e instanceof ReadsBusyError && e.status === 503,
    );
    await Promise.resolve();
    assert.deepEqual(log, ['start a'], 'b and c wait');
    a!.finish();
    assert.equal(await runs[0], 'a');
    c!.finish(); // c is done early, but b came first
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['start a', 'end a', 'start b']);
    b!.finish();
    assert.deepEqual(await Promise.all(runs), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(await gate.run(async () => 'free again'), 'free again');
  });

  it('frees the slot when a read fails', async () => {
    const gate = new ReadGate(1, 0);
    await assert.rejects(
      gate.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await gate.run(async () => 'next'), 'next');
  });
});
