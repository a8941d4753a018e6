import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors and sign-in hardening: a TOTP secret per user (AES-256-GCM encrypted, with the
 * last time step used so a code is never accepted twice), hashed one-time recovery codes,
 * passkeys (WebAuthn credentials) and the registration challenge of each user, the challenges of
 * sign-ins between password and tokens, failed sign-ins per account and per client address
 * (lockout shared by every replica), a tenant's "require MFA" policy and a password an admin
 * set that its user must change; revocations may also announce a membership that ended (the live
 * tail checks its connections of that user again). Immutable once released: add a new migration instead.
 */
export class MfaLockout1765800000000 implements MigrationInterface {
  name = 'MfaLockout1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN require_mfa boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE TABLE user_totp (
      user_id         uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      secret_enc      text NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      confirmed_at    timestamptz,
      last_used_step  bigint
    )`);
    await q.query(`CREATE TABLE user_recovery_codes (
      user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash  text NOT NULL,
      used_at    timestamptz,
      PRIMARY KEY (user_id, code_hash)
    )`);
    await q.query(`CREATE TABLE user_passkeys (
      id             uuid PRIMARY KEY,
      user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      credential_id  text NOT NULL UNIQUE,
      public_key     bytea NOT NULL,
      counter        bigint NOT NULL,
      transports     text[] NOT NULL DEFAULT '{}',
      name           text NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now(),
      last_used_at   timestamptz
    )`);
    await q.query(`CREATE INDEX user_passkeys_user_idx ON user_passkeys (user_id)`);
    await q.query(`CREATE TABLE passkey_registrations (
      user_id     uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      challenge   text NOT NULL,
      expires_at  timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE login_challenges (
      id                 uuid PRIMARY KEY,
      token_hash         text NOT NULL UNIQUE,
      user_id            uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      step               text NOT NULL CHECK (step IN ('mfa', 'mfa_enrolment', 'password_change')),
      created_at         timestamptz NOT NULL,
      expires_at         timestamptz NOT NULL,
      attempts           integer NOT NULL DEFAULT 0,
      webauthn_challenge text,
      client_address     text,
      user_agent         text
    )`);
    await q.query(`CREATE INDEX login_challenges_user_idx ON login_challenges (user_id, created_at)`);
    await q.query(`CREATE TABLE login_failures (
      scope           text NOT NULL CHECK (scope IN ('account', 'address')),
      subject         text NOT NULL,
      failures        integer NOT NULL,
      last_failed_at  timestamptz NOT NULL,
      PRIMARY KEY (scope, subject)
    )`);
    await q.query(`CREATE INDEX login_failures_last_idx ON login_failures (last_failed_at)`);
    await q.query(`ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check`);
    await q.query(
      `ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check CHECK (kind IN ('session', 'api_key', 'membership'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM revocations WHERE kind = 'membership'`);
    await q.query(`ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check`);
    await q.query(
      `ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check CHECK (kind IN ('session', 'api_key'))`,
    );
    await q.query(`DROP TABLE login_failures`);
    await q.query(`DROP TABLE login_challenges`);
    await q.query(`DROP TABLE passkey_registrations`);
    await q.query(`DROP TABLE user_passkeys`);
    await q.query(`DROP TABLE user_recovery_codes`);
    await q.query(`DROP TABLE user_totp`);
    await q.query(`ALTER TABLE users DROP COLUMN must_change_password`);
    await q.query(`ALTER TABLE tenants DROP COLUMN require_mfa`);
  }
}
