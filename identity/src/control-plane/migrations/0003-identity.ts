import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (rotating refresh tokens), who created each API key, and instance secrets (the
 * generated JWT signing secret when TF_JWT_SECRET is unset). Immutable once released.
 */
export class Identity1764200000000 implements MigrationInterface {
  name = 'Identity1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE refresh_tokens (
      id         uuid PRIMARY KEY,
      family_id  uuid NOT NULL,
      user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at    timestamptz,
      revoked_at timestamptz,
      CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
    )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);
    await q.query(`ALTER TABLE api_keys
      ADD COLUMN created_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      ADD COLUMN created_by_key_id  uuid REFERENCES api_keys(id) ON DELETE SET NULL`);
    await q.query(`CREATE TABLE instance_secrets (
      name       text PRIMARY KEY,
      value      text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE instance_secrets`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN created_by_key_id, DROP COLUMN created_by_user_id`);
    await q.query(`DROP TABLE refresh_tokens`);
  }
}
