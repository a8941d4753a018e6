import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations to a tenant: a member is added only when the invitee, signed in with the
 * invited email, accepts. A pending invitation is a row; accepting, declining or revoking
 * deletes it. Immutable once released: add a new migration instead.
 */
export class Invitations1764500000000 implements MigrationInterface {
  name = 'Invitations1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE invitations (
      id                 uuid PRIMARY KEY,
      tenant_id          text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email              text NOT NULL,
      role               text NOT NULL,
      invited_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      invited_by_key_id  uuid REFERENCES api_keys(id) ON DELETE SET NULL,
      created_at         timestamptz NOT NULL DEFAULT now(),
      expires_at         timestamptz NOT NULL,
      CONSTRAINT invitations_tenant_email_key UNIQUE (tenant_id, email)
    )`);
    await q.query('CREATE INDEX invitations_email_idx ON invitations (email)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE invitations');
  }
}
