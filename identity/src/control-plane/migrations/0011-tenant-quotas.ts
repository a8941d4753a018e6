import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instance administrators (a flag on users; the first user, the bootstrap admin, has it) and
 * the quotas they set per tenant, as the JSON of the contract's TenantQuotas. Immutable once
 * released: add a new migration instead.
 */
export class TenantQuotas1765950000000 implements MigrationInterface {
  name = 'TenantQuotas1765950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN instance_admin boolean NOT NULL DEFAULT false`);
    // An existing installation: its bootstrap admin is the first owner of `default`.
    await q.query(`UPDATE users SET instance_admin = true WHERE id = (
      SELECT m.user_id FROM memberships m WHERE m.tenant_id = 'default' AND m.role = 'owner'
       ORDER BY m.created_at LIMIT 1)`);
    await q.query(`CREATE TABLE tenant_quotas (
      tenant_id   text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      quotas      jsonb NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now(),
      updated_by  uuid
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tenant_quotas`);
    await q.query(`ALTER TABLE users DROP COLUMN instance_admin`);
  }
}
