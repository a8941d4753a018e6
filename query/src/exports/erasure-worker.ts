// Runs erasure jobs under a lease: counts what matches per signal (a dry run stops there),
// then deletes it with mutations, waiting for each to finish (bounded), and checks that
// nothing matching is left.
import { randomUUID } from 'node:crypto';
import { clusterOf, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ErasureSignal } from '@telemetryflow/contract';
import { erasureParams, signalErasure, type ErasureScope } from './erasure-statements.js';
import type { ErasureJob, ErasureJobs } from './erasure-jobs.js';

export interface ErasureOptions {
  /** A job's lease, renewed while it runs (default 60 s). */
  leaseMs: number;
  /** How often queued jobs are looked for (default 2 s). */
  pollMs: number;
  /** Longest wait for one table's delete mutation (default 30 min). */
  mutationTimeoutMs: number;
  /** How often a running mutation is checked (default 200 ms). */
  mutationPollMs: number;
}

export const DEFAULT_ERASURE_OPTIONS: ErasureOptions = {
  leaseMs: 60_000,
  pollMs: 2_000,
  mutationTimeoutMs: 30 * 60_000,
  mutationPollMs: 200,
};

export class ErasureWorker {
  private readonly holder = `erasure-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly jobs: ErasureJobs,
    private readonly ch: ClickHouseClient,
    private readonly opts: ErasureOptions = DEFAULT_ERASURE_OPTIONS,
    private readonly log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** As ExportWorker.stop: a job still running after `waitMs` runs again when its lease runs out. */
  async stop(waitMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
  }

  /** Runs queued jobs until none is left. */
  async runOnce(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const job = await this.jobs.claim(this.holder, this.opts.leaseMs);
      if (!job) return;
      await this.run(job);
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.log(`erasures: ${(err as Error).message}`))
        .finally(() => {
          if (!this.stopping) this.schedule(this.opts.pollMs);
        });
    }, delayMs);
  }

  private async run(job: ErasureJob): Promise<void> {
    const scope: ErasureScope = {
      tenant: job.tenantId,
      attribute: job.attribute,
      value: job.value,
      fromNs: job.fromNs,
      toNs: job.toNs,
    };
    const params = erasureParams(scope);
    const counts: Partial<Record<ErasureSignal, number>> = {};
    let progress = 0;
    const heartbeat = setInterval(() => {
      if (this.stopping) return;
      this.jobs.heartbeat(job.id, this.holder, this.opts.leaseMs, progress, counts).catch(() => undefined);
    }, this.opts.leaseMs / 3);
    try {
      if (!job.dryRun && clusterOf(this.ch)) {
        throw new Error('erasure on a ClickHouse cluster is not supported: run it against each shard');
      }
      const plans = job.signals.map((s) => [s, signalErasure(s, scope)] as const);
      for (const [signal, plan] of plans) counts[signal] = await this.count(plan.count, params);
      const steps = plans.reduce((n, [, p]) => n + p.deletes.length, 0);
      let done = 0;
      if (!job.dryRun) {
        for (const [signal, plan] of plans) {
          for (const d of plan.deletes) {
            await this.deleteRows(d.table, d.where, params);
            progress = ++done / steps;
            await this.jobs.heartbeat(job.id, this.holder, this.opts.leaseMs, progress, counts);
          }
          const left = await this.count(plan.count, params);
          if (left > 0) throw new Error(`${left} ${signal} row(s) still match after the delete`);
        }
      }
      await this.jobs.succeed(job.id, this.holder, counts);
    } catch (err) {
      if (this.stopping) {
        // Deletes are idempotent: the next worker counts and deletes what is left.
        this.log(`erasures: job ${job.id} interrupted by the stop; it runs again when its lease runs out`);
        return;
      }
      this.log(`erasures: job ${job.id}: ${(err as Error).message}`);
      await this.jobs.fail(job.id, this.holder, `erasure failed: ${(err as Error).message}`);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async count(sql: string, params: Record<string, string>): Promise<number> {
    const rs = await this.ch.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    const [row] = await rs.json<{ n: string }>();
    return Number(row?.n ?? 0);
  }

  /** One delete mutation, then a bounded wait until the table has no unfinished mutation. */
  private async deleteRows(table: string, where: string, params: Record<string, string>): Promise<void> {
    // Settings in the statement: the embedded engine would keep clickhouse_settings for its session.
    await this.ch.command({
      query: `ALTER TABLE ${table} DELETE WHERE ${where} SETTINGS mutations_sync = 0, allow_nondeterministic_mutations = 1`,
      query_params: params,
    });
    const deadline = Date.now() + this.opts.mutationTimeoutMs;
    for (;;) {
      const rs = await this.ch.query({
        query: `SELECT count() AS n, any(latest_fail_reason) AS reason FROM system.mutations
                WHERE database = currentDatabase() AND table = {table:String} AND NOT is_done`,
        query_params: { table },
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ n: string; reason: string }>();
      if (Number(row?.n ?? 0) === 0) return;
      if (row?.reason) throw new Error(`the delete on ${table} failed: ${row.reason}`);
      if (Date.now() > deadline) {
        throw new Error(`the delete on ${table} did not finish within ${this.opts.mutationTimeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, this.opts.mutationPollMs));
    }
  }
}
