import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions you can end: one row per login, which its refresh tokens belong to and its access
 * tokens name (`sid`), and the revocation list every replica keeps in memory (sessions and API
 * keys ended recently, each until the credentials it refuses could have expired anyway).
 * Refresh-token families of earlier logins become sessions with the family's id, so nobody is
 * signed out by the upgrade. Immutable once released: add a new migration instead.
 */
export class Sessions1765000000000 implements MigrationInterface {
  name = 'Sessions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sessions (
      id             uuid PRIMARY KEY,
      user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at     timestamptz NOT NULL DEFAULT now(),
      last_used_at   timestamptz NOT NULL DEFAULT now(),
      expires_at     timestamptz NOT NULL,
      client_address text,
      user_agent     text,
      revoked_at     timestamptz,
      revoked_reason text
    )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);
    await q.query(`INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason)
      SELECT family_id, min(user_id::text)::uuid, min(created_at), max(created_at), max(expires_at),
             CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END,
             CASE WHEN bool_and(revoked_at IS NOT NULL) THEN 'logout' END
        FROM refresh_tokens GROUP BY family_id`);
    await q.query(`ALTER TABLE refresh_tokens ADD COLUMN session_id uuid REFERENCES sessions(id) ON DELETE CASCADE`);
    await q.query(`UPDATE refresh_tokens SET session_id = family_id`);
    await q.query(`ALTER TABLE refresh_tokens ALTER COLUMN session_id SET NOT NULL`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);
    await q.query(`CREATE TABLE revocations (
      id         bigserial PRIMARY KEY,
      kind       text NOT NULL CHECK (kind IN ('session', 'api_key')),
      subject_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX revocations_expires_idx ON revocations (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE revocations`);
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN session_id`);
    await q.query(`DROP TABLE sessions`);
  }
}
