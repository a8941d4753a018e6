import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, users, memberships and API keys. Immutable once released: add a new migration instead. */
export class ControlPlaneInitial1732540800000 implements MigrationInterface {
  name = 'ControlPlaneInitial1732540800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenants (
      id         text PRIMARY KEY,
      name       text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE users (
      id            uuid PRIMARY KEY,
      email         text NOT NULL,
      password_hash text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_email_key UNIQUE (email),
      CONSTRAINT users_email_lower CHECK (email = lower(email))
    )`);
    await q.query(`CREATE TABLE memberships (
      user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      tenant_id  text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      role       text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin', 'owner')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, tenant_id)
    )`);
    await q.query(`CREATE INDEX memberships_tenant_idx ON memberships (tenant_id)`);
    await q.query(`CREATE TABLE api_keys (
      id           uuid PRIMARY KEY,
      tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name         text NOT NULL,
      prefix       text NOT NULL,
      key_hash     text NOT NULL,
      scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[]),
      created_at   timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at   timestamptz,
      CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
    )`);
    await q.query(`CREATE INDEX api_keys_prefix_idx ON api_keys (prefix)`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE memberships`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE tenants`);
  }
}
