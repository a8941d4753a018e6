import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC single sign-on per tenant: the provider, the client (its secret AES-256-GCM encrypted),
 * who may sign in and with which role, and whether passwords are refused (but for one
 * break-glass owner). Immutable once released: add a new migration instead.
 */
export class SsoSettings1765400000000 implements MigrationInterface {
  name = 'SsoSettings1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sso_settings (
      tenant_id             text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      issuer                text NOT NULL,
      client_id             text NOT NULL,
      client_secret_sealed  text NOT NULL,
      scopes                text[] NOT NULL,
      allowed_email_domains text[] NOT NULL,
      role_claim            text,
      role_mapping          jsonb NOT NULL,
      default_role          text,
      jit_membership        boolean NOT NULL,
      sso_required          boolean NOT NULL,
      break_glass_user_id   uuid REFERENCES users(id) ON DELETE SET NULL,
      updated_at            timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sso_settings');
  }
}
