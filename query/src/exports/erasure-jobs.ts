// Erasure jobs in Postgres, leased like export jobs (export-jobs.ts).
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ErasureJobDto, ErasureSignal, JobStatus } from '@telemetryflow/contract';

export interface ErasureJob {
  id: string;
  tenantId: string;
  attribute: string;
  value: string;
  signals: ErasureSignal[];
  fromNs: bigint | undefined;
  toNs: bigint | undefined;
  dryRun: boolean;
  status: JobStatus;
  progress: number;
  counts: Partial<Record<ErasureSignal, number>>;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface JobRow {
  id: string;
  tenant_id: string;
  attribute: string;
  value: string;
  signals: ErasureSignal[];
  from_ns: string | null;
  to_ns: string | null;
  dry_run: boolean;
  status: JobStatus;
  progress: number;
  counts: Partial<Record<ErasureSignal, number>>;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toJob = (r: JobRow): ErasureJob => ({
  id: r.id,
  tenantId: r.tenant_id,
  attribute: r.attribute,
  value: r.value,
  signals: r.signals,
  fromNs: r.from_ns === null ? undefined : BigInt(r.from_ns),
  toNs: r.to_ns === null ? undefined : BigInt(r.to_ns),
  dryRun: r.dry_run,
  status: r.status,
  progress: Number(r.progress),
  counts: r.counts,
  error: r.error,
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

const nsToIso = (ns: bigint | undefined) => (ns === undefined ? null : new Date(Number(ns / 1_000_000n)).toISOString());

export function erasureJobToDto(j: ErasureJob): ErasureJobDto {
  return {
    id: j.id,
    match: { attribute: j.attribute, value: j.value },
    signals: j.signals,
    from: nsToIso(j.fromNs),
    to: nsToIso(j.toNs),
    dryRun: j.dryRun,
    status: j.status,
    progress: j.progress,
    counts: j.counts,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

const COLUMNS =
  'id, tenant_id, attribute, value, signals, from_ns, to_ns, dry_run, status, progress, counts, error, created_at, finished_at';
const interval = (param: string) => `make_interval(secs => ${param}::double precision / 1000)`;

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affected]. */
function returned<T>(result: [T[], number] | T[]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}

export class ErasureJobs {
  constructor(private readonly ds: DataSource) {}

  async create(
    tenantId: string,
    spec: {
      attribute: string;
      value: string;
      signals: ErasureSignal[];
      fromNs?: bigint;
      toNs?: bigint;
      dryRun: boolean;
    },
  ): Promise<ErasureJob> {
    const rows = (await this.ds.query(
      `INSERT INTO erasure_jobs (id, tenant_id, attribute, value, signals, from_ns, to_ns, dry_run, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued') RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        tenantId,
        spec.attribute,
        spec.value,
        JSON.stringify(spec.signals),
        spec.fromNs?.toString() ?? null,
        spec.toNs?.toString() ?? null,
        spec.dryRun,
      ],
    )) as [JobRow[], number] | JobRow[];
    return toJob(returned(rows)[0]!);
  }

  async countActive(tenantId: string): Promise<number> {
    const rows = (await this.ds.query(
      `SELECT count(*)::int AS n FROM erasure_jobs WHERE tenant_id = $1 AND status IN ('queued', 'running')`,
      [tenantId],
    )) as { n: number }[];
    return rows[0]!.n;
  }

  async list(tenantId: string, limit: number): Promise<ErasureJob[]> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM erasure_jobs WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [tenantId, limit],
    )) as JobRow[];
    return rows.map(toJob);
  }

  async get(tenantId: string, id: string): Promise<ErasureJob | undefined> {
    const rows = (await this.ds.query(`SELECT ${COLUMNS} FROM erasure_jobs WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ])) as JobRow[];
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  /** A queued job, or a running one whose worker's lease ran out; null when there is none. */
  async claim(holder: string, leaseMs: number): Promise<ErasureJob | null> {
    const rows = (await this.ds.query(
      `UPDATE erasure_jobs SET status = 'running', holder = $1, lease_until = now() + ${interval('$2')}
       WHERE id = (
         SELECT id FROM erasure_jobs
         WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [holder, leaseMs],
    )) as [JobRow[], number] | JobRow[];
    const row = returned(rows)[0];
    return row ? toJob(row) : null;
  }

  /** Extends the lease and records progress and counts; false when `holder` lost the job. */
  async heartbeat(
    id: string,
    holder: string,
    leaseMs: number,
    progress: number,
    counts: ErasureJob['counts'],
  ): Promise<boolean> {
    const rows = (await this.ds.query(
      `UPDATE erasure_jobs SET lease_until = now() + ${interval('$3')}, progress = $4, counts = $5
       WHERE id = $1 AND holder = $2 AND status = 'running' RETURNING id`,
      [id, holder, leaseMs, progress, JSON.stringify(counts)],
    )) as [{ id: string }[], number] | { id: string }[];
    return returned(rows).length > 0;
  }

  async succeed(id: string, holder: string, counts: ErasureJob['counts']): Promise<void> {
    await this.ds.query(
      `UPDATE erasure_jobs SET status = 'succeeded', progress = 1, counts = $3, finished_at = now(), holder = NULL, lease_until = NULL
       WHERE id = $1 AND holder = $2 AND status = 'running'`,
      [id, holder, JSON.stringify(counts)],
    );
  }

  async fail(id: string, holder: string, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE erasure_jobs SET status = 'failed', error = $3, finished_at = now(), holder = NULL, lease_until = NULL
       WHERE id = $1 AND holder = $2 AND status = 'running'`,
      [id, holder, error.slice(0, 2000)],
    );
  }
}
