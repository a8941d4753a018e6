// Runs export jobs one at a time under a lease and deletes expired files. Jobs live in
// Postgres: a job whose worker stopped or died is taken up again when its lease runs out.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { EXPORT_FORMATS } from '@telemetryflow/contract';
import { exportQuery } from './export-query.js';
import { ExportTooLargeError, FILE_EXTENSIONS, writeExportFile } from './export-file.js';
import type { ExportJob, ExportJobs } from './export-jobs.js';

export interface ExportOptions {
  /** Where finished files are kept (`<TF_DATA_DIR>/exports`). */
  dir: string;
  /** Largest file an export may write (default 2 GiB). */
  maxBytes: number;
  /** How long a finished file can be downloaded (default 24 h). */
  ttlMs: number;
  /** A job's lease; renewed every third of it while the job runs (default 60 s). */
  leaseMs: number;
  /** How often the worker looks for queued jobs and expired files (default 2 s). */
  pollMs: number;
  /** Longest time ClickHouse may spend writing one file (default 1 h). */
  maxExecutionSeconds: number;
  /** Queued and running jobs one tenant may have (default 5). */
  maxActivePerTenant: number;
}

export const DEFAULT_EXPORT_OPTIONS: Omit<ExportOptions, 'dir'> = {
  maxBytes: 2 * 1024 ** 3,
  ttlMs: 24 * 3600_000,
  leaseMs: 60_000,
  pollMs: 2_000,
  maxExecutionSeconds: 3600,
  maxActivePerTenant: 5,
};

/** The file of a job: named by its id only (a uuid we made), never by anything a user sent. */
export function exportFilePath(dir: string, job: Pick<ExportJob, 'id' | 'format'>): string {
  return join(dir, `${job.id}.${FILE_EXTENSIONS[job.format]}`);
}

export class ExportWorker {
  private readonly holder = `export-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly jobs: ExportJobs,
    private readonly ch: ClickHouseClient,
    private readonly opts: ExportOptions,
    private readonly log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  start(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    this.stopping = false;
    this.schedule(0);
  }

  /**
   * Stops looking for work and waits up to `waitMs` for the running job. One still running
   * is no longer renewed: its lease runs out and the next worker starts it again.
   */
  async stop(waitMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
  }

  /** One pass: delete expired files, then run queued jobs until none is left. */
  async runOnce(): Promise<void> {
    for (const id of await this.jobs.expireDue(100)) {
      for (const format of EXPORT_FORMATS) {
        await rm(exportFilePath(this.opts.dir, { id, format }), { force: true });
      }
    }
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
        .catch((err: unknown) => this.log(`exports: ${(err as Error).message}`))
        .finally(() => {
          if (!this.stopping) this.schedule(this.opts.pollMs);
        });
    }, delayMs);
  }

  private async run(job: ExportJob): Promise<void> {
    const path = exportFilePath(this.opts.dir, job);
    const heartbeat = setInterval(() => {
      if (this.stopping) return;
      this.jobs.heartbeat(job.id, this.holder, this.opts.leaseMs, 0).catch(() => undefined);
    }, this.opts.leaseMs / 3);
    try {
      const query = exportQuery({
        signal: job.signal,
        tenant: job.tenantId,
        fromNs: job.fromNs,
        toNs: job.toNs,
        filters: job.filters,
        otlpJson: job.format === 'otlp-json',
      });
      const written = await writeExportFile(this.ch, query, job.format, path, {
        maxBytes: this.opts.maxBytes,
        maxExecutionSeconds: this.opts.maxExecutionSeconds,
      });
      // Fenced: a worker that lost the lease meanwhile leaves the job (and the file) to the new holder.
      if (!(await this.jobs.succeed(job.id, this.holder, written, this.opts.ttlMs))) return;
    } catch (err) {
      if (this.stopping) {
        this.log(`exports: job ${job.id} interrupted by the stop; it runs again when its lease runs out`);
        return;
      }
      const message = err instanceof ExportTooLargeError ? err.message : `export failed: ${(err as Error).message}`;
      this.log(`exports: job ${job.id}: ${message}`);
      await this.jobs.fail(job.id, this.holder, message);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
