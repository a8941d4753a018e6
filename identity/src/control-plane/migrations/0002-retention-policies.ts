import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention per tenant and signal. Immutable once released: add a new migration instead. */
export class RetentionPolicies1764086400000 implements MigrationInterface {
  name = 'RetentionPolicies1764086400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE retention_policies (
      tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      signal      text NOT NULL CHECK (signal IN ('spans', 'logs', 'metrics')),
      raw_days    integer NOT NULL CHECK (raw_days BETWEEN 1 AND 3650),
      hourly_days integer NOT NULL CHECK (hourly_days BETWEEN raw_days AND 3650),
      daily_days  integer NOT NULL CHECK (daily_days BETWEEN hourly_days AND 3650),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, signal)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE retention_policies');
  }
}
