import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Export and erasure jobs. A worker leases a queued job (or one whose lease ran out: its
 * worker died) until `lease_until`; the job outlives restarts. Immutable once released.
 */
export class DataJobs1765980000000 implements MigrationInterface {
  name = 'DataJobs1765980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE export_jobs (
      id           uuid PRIMARY KEY,
      tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      signal       text NOT NULL,
      format       text NOT NULL,
      from_ns      text NOT NULL,
      to_ns        text NOT NULL,
      filters      jsonb NOT NULL,
      status       text NOT NULL,
      progress     double precision NOT NULL DEFAULT 0,
      rows         bigint,
      bytes        bigint,
      error        text,
      holder       text,
      lease_until  timestamptz,
      created_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz,
      expires_at   timestamptz
    )`);
    await q.query('CREATE INDEX export_jobs_tenant_idx ON export_jobs (tenant_id, created_at DESC)');
    await q.query('CREATE INDEX export_jobs_status_idx ON export_jobs (status)');
    await q.query(`CREATE TABLE erasure_jobs (
      id           uuid PRIMARY KEY,
      tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      attribute    text NOT NULL,
      value        text NOT NULL,
      signals      jsonb NOT NULL,
      from_ns      text,
      to_ns        text,
      dry_run      boolean NOT NULL,
      status       text NOT NULL,
      progress     double precision NOT NULL DEFAULT 0,
      counts       jsonb NOT NULL DEFAULT '{}',
      error        text,
      holder       text,
      lease_until  timestamptz,
      created_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz
    )`);
    await q.query('CREATE INDEX erasure_jobs_tenant_idx ON erasure_jobs (tenant_id, created_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE erasure_jobs');
    await q.query('DROP TABLE export_jobs');
  }
}
