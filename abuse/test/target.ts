// The all-in-one under attack: a fresh one per test file (the server's own e2e rig), good
// data sent before any abuse and read back exactly after it, a check after every case that
// the process still takes a normal export and answers a read, and the process's memory.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  API_KEY,
  TRANSPORTS,
  api,
  assertSignals,
  assertTrace,
  buildSignals,
  buildTrace,
  exportOk,
  exportSignals,
  exporters,
  freshDataDir,
  getTrace,
  removeDir,
  startServer,
  type SignalFixtures,
  type Started,
} from '@telemetryflow/server/test-helpers';
import { closeGrpcClients } from './otlp-wire.js';

export { API_KEY };

const MiB = 1024 * 1024;

export interface Target {
  server: Started;
  dataDir: string;
  /** Telemetry of every signal sent before the abuse, over every transport. */
  baseline: SignalFixtures[];
  /** A key of the same tenant with the `read` scope only. */
  readOnlyKey: string;
  memory: RssWatch;
}

/**
 * Starts an all-in-one on defaults (OTLP size cap 20 MiB, embedded ClickHouse and Postgres),
 * sends one set of telemetry over each transport and reads it back, then starts watching RSS.
 */
export async function startTarget(name: string, env: Record<string, string> = {}): Promise<Target> {
  const dataDir = freshDataDir(`tf-abuse-${name}-`);
  const server = await startServer(dataDir, env);
  const baseline: SignalFixtures[] = [];
  for (const transport of TRANSPORTS) {
    const fixtures = await buildSignals(`baseline-${name}-${transport}`, `baseline.${transport}`);
    await exportSignals(server.running, transport, API_KEY, fixtures);
    baseline.push(fixtures);
  }
  for (const fixtures of baseline) await assertSignals(server.running.apiUrl, API_KEY, fixtures);
  const created = await api<{ data: { key: string } }>(server.running.apiUrl, '/api/v1/api-keys', API_KEY, {
    method: 'POST',
    body: { name: 'read only', scopes: ['read'] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const readOnlyKey = created.body.data.key;
  return { server, dataDir, baseline, readOnlyKey, memory: new RssWatch() };
}

/** Reads the baseline back exactly, reports memory, stops the server and removes its data. */
export async function stopTarget(target: Target | undefined): Promise<void> {
  closeGrpcClients();
  if (!target) return;
  target.memory.stop();
  await target.server.running.close();
  removeDir(target.dataDir);
}

/** The telemetry sent before the abuse is still there, every field as it was. */
export async function assertBaselineIntact(target: Target): Promise<void> {
  for (const fixtures of target.baseline) await assertSignals(target.server.running.apiUrl, API_KEY, fixtures);
}

let served = 0;

/** A normal export with the OTel SDK (transports in turn) is acked and its trace reads back exactly. */
export async function assertStillServes(target: Target): Promise<void> {
  const transport = TRANSPORTS[served++ % TRANSPORTS.length]!;
  const fixture = buildTrace(`alive-${served}`);
  const ex = exporters(target.server.running, transport, API_KEY);
  try {
    await exportOk(ex.traces, fixture.spans, `a normal ${transport} export after the abuse`);
  } finally {
    await ex.shutdown();
  }
  const read = await getTrace(target.server.running.apiUrl, API_KEY, fixture.traceId);
  assert.equal(read.status, 200, `reading the normal trace back: ${JSON.stringify(read.body)}`);
  assertTrace(read.body.data, fixture);
}

/**
 * Resident memory of this process, which hosts the all-in-one (the clients' share is small:
 * they send compressed or pre-built bodies). Sampled every 20 ms from the baseline on.
 */
export class RssWatch {
  readonly baseline = process.memoryUsage().rss;
  peak = this.baseline;
  private readonly timer = setInterval(() => this.sample(), 20);

  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** Peak growth over the baseline so far, in MiB. */
  peakGrowthMiB(): number {
    this.sample();
    return (this.peak - this.baseline) / MiB;
  }

  /** Runs `work` and returns the peak RSS growth during it over the RSS just before, in MiB. */
  async during(
    work: () => Promise<void>,
  ): Promise<{ beforeMiB: number; peakMiB: number; afterMiB: number; growthMiB: number }> {
    const before = this.sample();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, this.sample())), 5);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    const after = this.sample();
    peak = Math.max(peak, after);
    return { beforeMiB: before / MiB, peakMiB: peak / MiB, afterMiB: after / MiB, growthMiB: (peak - before) / MiB };
  }

  /** Runs `work`; asserts the peak RSS growth during it stays under `boundMiB`, and says the figures. */
  async assertBoundedDuring(t: TestContext, what: string, boundMiB: number, work: () => Promise<void>): Promise<void> {
    const m = await this.during(work);
    const line = `${what}: RSS ${m.beforeMiB.toFixed(0)} → peak ${m.peakMiB.toFixed(0)} MiB (+${m.growthMiB.toFixed(0)}), after ${m.afterMiB.toFixed(0)} MiB; bound +${boundMiB} MiB`;
    t.diagnostic(line);
    assert.ok(m.growthMiB < boundMiB, line);
  }

  /** Asserts the peak growth since the baseline stays under `boundMiB`, and says the figures. */
  assertBounded(t: TestContext, boundMiB: number): void {
    const now = this.sample();
    const line = `RSS: baseline ${(this.baseline / MiB).toFixed(0)} MiB, peak ${(this.peak / MiB).toFixed(0)} MiB (+${this.peakGrowthMiB().toFixed(0)}), now ${(now / MiB).toFixed(0)} MiB; bound +${boundMiB} MiB`;
    t.diagnostic(line);
    assert.ok(this.peakGrowthMiB() < boundMiB, line);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
