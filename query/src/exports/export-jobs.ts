// Export jobs in Postgres: created by the API, leased by a worker (times are the database's,
// so replicas agree), finished with rows and bytes, expired with their file.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ExportFilters, ExportFormat, ExportJobDto, ExportSignal, JobStatus } from '@telemetryflow/contract';

export interface ExportJob {
  id: string;
  tenantId: string;
  signal: ExportSignal;
  format: ExportFormat;
  fromNs: bigint;
  toNs: bigint;
  filters: ExportFilters;
  status: JobStatus;
  progress: number;
  rows: number | null;
  bytes: number | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date | null;
}

interface JobRow {
  id: string;
  tenant_id: string;
  signal: ExportSignal;
  format: ExportFormat;
  from_ns: string;
  to_ns: string;
  filters: ExportFilters;
  status: JobStatus;
  progress: number;
  rows: string | null;
  bytes: string | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
  expires_at: Date | null;
}

const toJob = (r: JobRow): ExportJob => ({
  id: r.id,
  tenantId: r.tenant_id,
  signal: r.signal,
  format: r.format,
  fromNs: BigInt(r.from_ns),
  toNs: BigInt(r.to_ns),
  filters: r.filters,
  status: r.status,
  progress: Number(r.progress),
  rows: r.rows === null ? null : Number(r.rows),
  bytes: r.bytes === null ? null : Number(r.bytes),
  error: r.error,
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
  expiresAt: r.expires_at ? new Date(r.expires_at) : null,
});

const nsToIso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

export function exportJobToDto(j: ExportJob): ExportJobDto {
  return {
    id: j.id,
    signal: j.signal,
    format: j.format,
    from: nsToIso(j.fromNs),
    to: nsToIso(j.toNs),
    filters: j.filters,
    status: j.status,
    progress: j.progress,
    rows: j.rows,
    bytes: j.bytes,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
    expiresAt: j.expiresAt?.toISOString() ?? null,
  };
}

const COLUMNS =
  'id, tenant_id, signal, format, from_ns, to_ns, filters, status, progress, rows, bytes, error, created_at, finished_at, expires_at';

const interval = (param: string) => `make_interval(secs => ${param}::double precision / 1000)`;

export class ExportJobs {
  constructor(private readonly ds: DataSource) {}

  async create(
    tenantId: string,
    spec: { signal: ExportSignal; format: ExportFormat; fromNs: bigint; toNs: bigint; filters: ExportFilters },
  ): Promise<ExportJob> {
    const rows = (await this.ds.query(
      `INSERT INTO export_jobs (id, tenant_id, signal, format, from_ns, to_ns, filters, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued') RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        tenantId,
        spec.signal,
        spec.format,
        spec.fromNs.toString(),
        spec.toNs.toString(),
        JSON.stringify(spec.filters),
      ],
    )) as [JobRow[], number] | JobRow[];
    return toJob(normalizeReturning(rows)[0]!);
  }

  /** Jobs still queued or running in a tenant (bounds how many one tenant may have). */
  async countActive(tenantId: string): Promise<number> {
    const rows = (await this.ds.query(
      `SELECT count(*)::int AS n FROM export_jobs WHERE tenant_id = $1 AND status IN ('queued', 'running')`,
      [tenantId],
    )) as { n: number }[];
    return rows[0]!.n;
  }

  async list(tenantId: string, limit: number): Promise<ExportJob[]> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM export_jobs WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [tenantId, limit],
    )) as JobRow[];
    return rows.map(toJob);
  }

  async get(tenantId: string, id: string): Promise<ExportJob | undefined> {
    const rows = (await this.ds.query(`SELECT ${COLUMNS} FROM export_jobs WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ])) as JobRow[];
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  /**
   * Leases one job for `holder`: a queued one, or a running one whose lease ran out (its
   * worker stopped or died). Null when there is none.
   */
  async claim(holder: string, leaseMs: number): Promise<ExportJob | null> {
    const rows = (await this.ds.query(
      `UPDATE export_jobs SET status = 'running', holder = $1, lease_until = now() + ${interval('$2')}, progress = 0
       WHERE id = (
         SELECT id FROM export_jobs
         WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [holder, leaseMs],
    )) as [JobRow[], number] | JobRow[];
    const returned = normalizeReturning(rows);
    return returned[0] ? toJob(returned[0]) : null;
  }

  /** Extends the lease and records progress; false when `holder` no longer holds the job. */
  async heartbeat(id: string, holder: string, leaseMs: number, progress: number): Promise<boolean> {
    const rows = (await this.ds.query(
      `UPDATE export_jobs SET lease_until = now() + ${interval('$3')}, progress = $4
       WHERE id = $1 AND holder = $2 AND status = 'running' RETURNING id`,
      [id, holder, leaseMs, progress],
    )) as [{ id: string }[], number] | { id: string }[];
    return normalizeReturning(rows).length > 0;
  }

  /** Done: the file holds `rows` rows in `bytes` bytes until `ttlMs` from now. Fenced by the lease. */
  async succeed(id: string, holder: string, result: { rows: number; bytes: number }, ttlMs: number): Promise<boolean> {
    const rows = (await this.ds.query(
      `UPDATE export_jobs SET status = 'succeeded', progress = 1, rows = $3, bytes = $4, finished_at = now(),
         expires_at = now() + ${interval('$5')}, holder = NULL, lease_until = NULL
       WHERE id = $1 AND holder = $2 AND status = 'running' RETURNING id`,
      [id, holder, result.rows, result.bytes, ttlMs],
    )) as [{ id: string }[], number] | { id: string }[];
    return normalizeReturning(rows).length > 0;
  }

  async fail(id: string, holder: string, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE export_jobs SET status = 'failed', error = $3, finished_at = now(), holder = NULL, lease_until = NULL
       WHERE id = $1 AND holder = $2 AND status = 'running'`,
      [id, holder, error.slice(0, 2000)],
    );
  }

  /** Finished jobs whose file's time is up; marked expired here, their files deleted by the caller. */
  async expireDue(limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `UPDATE export_jobs SET status = 'expired' WHERE id IN (
         SELECT id FROM export_jobs WHERE status = 'succeeded' AND expires_at <= now() LIMIT $1)
       RETURNING id`,
      [limit],
    )) as [{ id: string }[], number] | { id: string }[];
    return normalizeReturning(rows).map((r) => r.id);
  }
}

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affected]. */
function normalizeReturning<T>(result: [T[], number] | T[]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
