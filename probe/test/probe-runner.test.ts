import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import {
  MonitorInputSchema,
  ProbeRunner,
  slotOffsetMs,
  type Beat,
  type CheckResult,
  type MonitorState,
  type ProbeMonitor,
} from '../src/index.js';
import { LOOPBACK_ALLOWED } from './check-harness.js';
import { startHttpServer, startTcpListener, type WebServer } from './targets.js';

const S = 1000;
const T0 = Date.parse('2030-01-01T00:00:00Z');
const servers: WebServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function monitor(id: string, input: Record<string, unknown>): ProbeMonitor {
  return { id, monitor: MonitorInputSchema.parse({ name: id, ...input }) };
}

/** Whether `t` is the first fake-clock tick (whole seconds) at or after one of the monitor's slots. */
function onSlotTick(t: number, id: string, intervalMs: number): boolean {
  const sinceSlot = (((t - slotOffsetMs(id, intervalMs)) % intervalMs) + intervalMs) % intervalMs;
  return sinceSlot < S;
}

interface Seen {
  atMs: number;
  result: CheckResult;
  state: MonitorState;
  changed: boolean;
}

/** A runner on a fake clock that starts at T0; `advance` ticks once per fake second and waits for the checks. */
function fakeClockRunner(
  monitors: ProbeMonitor[],
  opts: { concurrency?: number; beats?: (id: string) => Beat[] } = {},
) {
  let now = T0;
  const seen: Seen[] = [];
  const runner = new ProbeRunner({
    monitors: () => monitors,
    context: { guard: LOOPBACK_ALLOWED },
    location: 'eu-test',
    now: () => now,
    onResult: (result, state, changed) => seen.push({ atMs: now, result, state, changed }),
    ...opts,
  });
  return {
    runner,
    seen,
    now: () => now,
    /** Moves the clock without a tick. */
    move(seconds: number) {
      now += seconds * S;
    },
    async advance(seconds: number) {
      for (let i = 0; i < seconds; i++) {
        now += S;
        await runner.tick();
      }
    },
  };
}

describe('probe runner', () => {
  it('a TCP monitor goes down after its retries and up again at the first success', async () => {
    let listener = await startTcpListener();
    const port = listener.port;
    const m = monitor('db', {
      interval: '60s',
      retries: 2,
      retryInterval: '10s',
      check: { kind: 'tcp', host: '127.0.0.1', port },
    });
    const clock = fakeClockRunner([m]);
    await clock.runner.tick();
    assert.deepEqual(
      clock.seen.map((s) => [s.result.up, s.state.status, s.changed]),
      [[true, 'up', true]],
    );
    assert.equal(clock.seen[0]!.result.time, new Date(T0).toISOString());
    assert.equal(clock.seen[0]!.result.location, 'eu-test');

    await listener.close();
    await clock.advance(180);
    const rel = (ms: number) => (ms - T0) / S;
    const failures = clock.seen.slice(1);
    const firstFailure = failures[0]!.atMs;
    assert.ok(onSlotTick(firstFailure, 'db', 60 * S), 'the first failure came at a slot');
    assert.deepEqual(
      failures.slice(0, 3).map((s) => [rel(s.atMs) - rel(firstFailure), s.result.error, s.state.status, s.changed]),
      [
        [0, 'connection refused', 'up', false],
        [10, 'connection refused', 'up', false],
        [20, 'connection refused', 'down', true],
      ],
      'two retries 10 s apart, then down',
    );
    assert.ok(failures.length >= 4, 'checked again after going down');
    assert.ok(
      failures.slice(3).every((s) => s.state.status === 'down' && !s.changed && onSlotTick(s.atMs, 'db', 60 * S)),
      'once down, checked at its slots, not at the retry interval',
    );

    listener = await startTcpListener(port);
    const before = clock.seen.length;
    await clock.advance(60);
    const recovered = clock.seen.slice(before);
    assert.deepEqual(
      recovered.map((s) => [s.result.up, s.state.status, s.changed]),
      [[true, 'up', true]],
      'one success is up',
    );
    await listener.close();
  });

  it('runs at most `concurrency` checks at once, each once per interval at its own slot', async () => {
    let active = 0;
    let maxActive = 0;
    const s = await startHttpServer((_req, res: ServerResponse) => {
      active++;
      maxActive = Math.max(maxActive, active);
      setTimeout(() => {
        active--;
        res.end('ok');
      }, 150);
    });
    servers.push(s);
    const monitors = Array.from({ length: 6 }, (_, i) =>
      monitor(`web-${i}`, { interval: '30s', check: { kind: 'http', url: `${s.url}/${i}` } }),
    );
    const clock = fakeClockRunner(monitors, { concurrency: 2 });
    await clock.runner.tick();
    assert.equal(clock.seen.length, 6, 'every new monitor is checked at once');
    assert.equal(maxActive, 2);
    assert.ok(clock.seen.every((x) => x.result.up));
    await clock.advance(90);
    for (const m of monitors) {
      const runs = clock.seen
        .filter((x) => x.result.monitorId === m.id)
        .slice(1)
        .map((x) => x.atMs);
      const offset = slotOffsetMs(m.id, 30 * S);
      const slots = [0, 1, 2, 3]
        .map((k) => T0 - (T0 % (30 * S)) + offset + k * 30 * S)
        .filter((slot) => slot >= T0 + 15 * S);
      const ticks = slots.map((slot) => Math.ceil(slot / S) * S).filter((t) => t <= T0 + 90 * S);
      assert.deepEqual(
        runs,
        ticks,
        `${m.id}: at the first tick of every slot from half an interval after the first check`,
      );
      assert.ok(
        runs.slice(1).every((t, i) => t - runs[i]! === 30 * S),
        `${m.id} once per interval`,
      );
    }
    assert.equal(maxActive, 2);
  });

  it('a check is cut at its timeout, and not started again while it runs', async () => {
    const held: ServerResponse[] = [];
    const s = await startHttpServer((_req, res) => void held.push(res));
    servers.push(s);
    const m = monitor('slow', { interval: '10s', timeout: '1s', check: { kind: 'http', url: s.url } });
    const clock = fakeClockRunner([m]);
    const first = clock.runner.tick();
    // The check is under way once the server has its request (waited for, up to 10 s; the check's 1 s timeout runs meanwhile).
    for (const deadline = Date.now() + 10_000; s.seen.length === 0 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 5));
    clock.move(20);
    assert.deepEqual(await clock.runner.tick(), [], 'due again by its schedule, but still running');
    const results = await first;
    assert.deepEqual(
      results.map((r) => [r.up, r.error]),
      [[false, 'timed out after 1 s']],
    );
    assert.equal(s.seen.length, 1, 'the second tick did not start it again');
    for (const res of held) res.end();
  });

  it('evaluates heartbeat monitors from the beats they received', async () => {
    const beats: Beat[] = [];
    const m = monitor('cron', { interval: '60s', check: { kind: 'heartbeat', grace: '30s' } });
    const clock = fakeClockRunner([m], { beats: () => beats });
    await clock.runner.tick();
    assert.equal(clock.seen.length, 0, 'pending until the first beat is due');
    beats.push({ atMs: T0 + 20 * S, ok: true });
    await clock.advance(300);
    const results = clock.seen.map((x) => ({ at: (x.atMs - T0) / S, up: x.result.up, error: x.result.error }));
    assert.ok(results.some((r) => r.up) && results.some((r) => !r.up), JSON.stringify(results));
    assert.ok(
      results.every((r) => r.up === r.at <= 110),
      `up until the beat is 60 s + 30 s grace old (110 s), down after: ${JSON.stringify(results)}`,
    );
    assert.equal(results.find((r) => !r.up)!.error, `no heartbeat since ${new Date(T0 + 20 * S).toISOString()}`);
  });
});
