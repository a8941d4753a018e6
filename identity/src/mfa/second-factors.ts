import { randomUUID } from 'node:crypto';
import type { MfaMethod, MfaStatusDto, PasskeyDto, TotpEnrolmentDto } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import type { SecretBox } from '../control-plane/secret-box.js';
import { newTotpSecret, qrCodeDataUrl, totpStep, totpUri } from './totp.js';
import type { Passkeys } from './passkeys.js';

type Db = DataSource | EntityManager;

interface PasskeyRow {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const passkeyDto = (r: PasskeyRow): PasskeyDto => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

/** The aad of a user's TOTP secret: a sealed secret moved to another user does not open. */
const totpAad = (userId: string) => `totp:${userId}`;

/**
 * A user's second factors: a TOTP secret (sealed, active once confirmed with a code, each time
 * step accepted once), one-time recovery codes (hashed) and passkeys.
 */
export class SecondFactors {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    readonly passkeys: Passkeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** The factors that can pass a sign-in's second step; empty: the user has none. */
  async methods(userId: string, db: Db = this.ds): Promise<MfaMethod[]> {
    const [row] = (await db.query(
      `SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS totp,
              EXISTS (SELECT 1 FROM user_passkeys WHERE user_id = $1) AS passkey,
              EXISTS (SELECT 1 FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS recovery`,
      [userId],
    )) as { totp: boolean; passkey: boolean; recovery: boolean }[];
    const methods: MfaMethod[] = [];
    if (row!.totp) methods.push('totp');
    if (row!.passkey) methods.push('passkey');
    // Recovery codes stand in for a factor, never alone.
    if (methods.length > 0 && row!.recovery) methods.push('recovery_code');
    return methods;
  }

  /** Whether a tenant the user is a member of requires MFA. */
  async required(userId: string, db: Db = this.ds): Promise<boolean> {
    const [row] = (await db.query(
      `SELECT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON t.id = m.tenant_id
                       WHERE m.user_id = $1 AND t.require_mfa) AS required`,
      [userId],
    )) as { required: boolean }[];
    return row!.required;
  }

  async status(userId: string): Promise<MfaStatusDto> {
    const [row] = (await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS totp,
              (SELECT count(*)::int FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS recovery`,
      [userId],
    )) as { totp: boolean; recovery: number }[];
    return {
      totp: row!.totp,
      recoveryCodesLeft: row!.recovery,
      passkeys: await this.listPasskeys(userId),
      required: await this.required(userId),
    };
  }

  /** A new TOTP secret, inactive until `confirmTotp`; replaces an unconfirmed one. */
  async startTotp(userId: string, email: string): Promise<TotpEnrolmentDto> {
    const secret = newTotpSecret();
    const rows = (await this.ds.query(
      `WITH up AS (
         INSERT INTO user_totp (user_id, secret_enc, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, created_at = EXCLUDED.created_at,
                                            last_used_step = NULL
          WHERE user_totp.confirmed_at IS NULL
         RETURNING user_id)
       SELECT user_id FROM up`,
      [userId, this.box.seal(secret, totpAad(userId)), new Date(this.now())],
    )) as unknown[];
    if (rows.length === 0)
      throw new ApiError(409, 'totp_enabled', 'TOTP is already on: turn it off first to enrol another authenticator');
    const otpauthUri = totpUri(secret, email);
    return { otpauthUri, qrCodeDataUrl: await qrCodeDataUrl(otpauthUri), secret };
  }

  /**
   * Activates the pending TOTP secret with a code of it; the recovery codes when this is the
   * user's first factor (else none).
   */
  async confirmTotp(userId: string, code: string): Promise<string[]> {
    return this.ds.transaction(async (em) => {
      const [row] = (await em.query(`SELECT secret_enc, confirmed_at FROM user_totp WHERE user_id = $1 FOR UPDATE`, [
        userId,
      ])) as { secret_enc: string; confirmed_at: Date | null }[];
      if (!row) throw new ApiError(409, 'no_totp_enrolment', 'start a TOTP enrolment first');
      if (row.confirmed_at !== null) throw new ApiError(409, 'totp_enabled', 'TOTP is already on');
      const step = await totpStep(this.box.open(row.secret_enc, totpAad(userId)), code, null, this.now());
      if (step === null) throw new ApiError(400, 'invalid_totp_code', 'wrong code: check the time of the device');
      const firstFactor = (await this.methods(userId, em)).length === 0;
      await em.query(`UPDATE user_totp SET confirmed_at = $2, last_used_step = $3 WHERE user_id = $1`, [
        userId,
        new Date(this.now()),
        step,
      ]);
      return firstFactor ? this.replaceRecoveryCodes(em, userId) : [];
    });
  }

  /** Turns TOTP off (and drops an unconfirmed enrolment); false when there was none. */
  async removeTotp(userId: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `WITH d AS (DELETE FROM user_totp WHERE user_id = $1 RETURNING user_id) SELECT user_id FROM d`,
      [userId],
    )) as unknown[];
    await this.dropOrphanRecoveryCodes(userId);
    return rows.length > 0;
  }

  /** Ten new recovery codes; the old ones stop working. Only for a user with a factor. */
  async regenerateRecoveryCodes(userId: string): Promise<string[]> {
    return this.ds.transaction(async (em) => {
      await em.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      if ((await this.methods(userId, em)).length === 0)
        throw new ApiError(
          409,
          'no_second_factor',
          'recovery codes come with a second factor: enrol TOTP or a passkey first',
        );
      return this.replaceRecoveryCodes(em, userId);
    });
  }

  /** Whether `code` is a current TOTP code of the user not used before; using it marks its step used. */
  async verifyTotp(userId: string, code: string): Promise<boolean> {
    const [row] = (await this.ds.query(
      `SELECT secret_enc, last_used_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    )) as { secret_enc: string; last_used_step: string | null }[];
    if (!row) return false;
    const last = row.last_used_step === null ? null : Number(row.last_used_step);
    const step = await totpStep(this.box.open(row.secret_enc, totpAad(userId)), code, last, this.now());
    if (step === null) return false;
    // Two sign-ins with the same code at once: only one moves the step forward.
    const moved = (await this.ds.query(
      `WITH u AS (UPDATE user_totp SET last_used_step = $2
                   WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING user_id)
       SELECT user_id FROM u`,
      [userId, step],
    )) as unknown[];
    return moved.length > 0;
  }

  /** Whether `code` is an unused recovery code of the user; using it spends it. */
  async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const used = (await this.ds.query(
      `WITH u AS (UPDATE user_recovery_codes SET used_at = $3
                   WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id)
       SELECT user_id FROM u`,
      [userId, hashRecoveryCode(code), new Date(this.now())],
    )) as unknown[];
    return used.length > 0;
  }

  async listPasskeys(userId: string): Promise<PasskeyDto[]> {
    const rows = (await this.ds.query(
      `SELECT id, name, created_at, last_used_at FROM user_passkeys WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    )) as PasskeyRow[];
    return rows.map(passkeyDto);
  }

  /** Stores a verified passkey; the recovery codes when it is the user's first factor (else none). */
  async addPasskey(
    userId: string,
    name: string,
    credential: { id: string; publicKey: Uint8Array; counter: number; transports: string[] },
  ): Promise<{ passkey: PasskeyDto; recoveryCodes: string[] }> {
    return this.ds.transaction(async (em) => {
      await em.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      const firstFactor = (await this.methods(userId, em)).length === 0;
      const [row] = (await em.query(
        `INSERT INTO user_passkeys (id, user_id, credential_id, public_key, counter, transports, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (credential_id) DO NOTHING
         RETURNING id, name, created_at, last_used_at`,
        [
          randomUUID(),
          userId,
          credential.id,
          Buffer.from(credential.publicKey),
          credential.counter,
          credential.transports,
          name,
          new Date(this.now()),
        ],
      )) as PasskeyRow[];
      if (!row) throw new ApiError(409, 'passkey_exists', 'this passkey is already registered');
      return {
        passkey: passkeyDto(row),
        recoveryCodes: firstFactor ? await this.replaceRecoveryCodes(em, userId) : [],
      };
    });
  }

  async removePasskey(userId: string, passkeyId: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `WITH d AS (DELETE FROM user_passkeys WHERE user_id = $1 AND id = $2 RETURNING id) SELECT id FROM d`,
      [userId, passkeyId],
    )) as unknown[];
    await this.dropOrphanRecoveryCodes(userId);
    return rows.length > 0;
  }

  /** The stored credentials of the user (for WebAuthn's allow and exclude lists, and verification). */
  async credentials(
    userId: string,
  ): Promise<{ id: string; credentialId: string; publicKey: Uint8Array; counter: number; transports: string[] }[]> {
    const rows = (await this.ds.query(
      `SELECT id, credential_id, public_key, counter, transports FROM user_passkeys WHERE user_id = $1`,
      [userId],
    )) as { id: string; credential_id: string; public_key: Buffer; counter: string; transports: string[] }[];
    return rows.map((r) => ({
      id: r.id,
      credentialId: r.credential_id,
      publicKey: new Uint8Array(r.public_key),
      counter: Number(r.counter),
      transports: r.transports,
    }));
  }

  /** Records a passkey's use and its new signature counter. */
  async passkeyUsed(passkeyId: string, counter: number): Promise<void> {
    await this.ds.query(`UPDATE user_passkeys SET counter = $2, last_used_at = $3 WHERE id = $1`, [
      passkeyId,
      counter,
      new Date(this.now()),
    ]);
  }

  /** Removes every factor of the user (an admin's MFA reset), in `em`'s transaction. */
  async resetIn(em: EntityManager, userId: string): Promise<void> {
    await em.query(`DELETE FROM user_totp WHERE user_id = $1`, [userId]);
    await em.query(`DELETE FROM user_passkeys WHERE user_id = $1`, [userId]);
    await em.query(`DELETE FROM user_recovery_codes WHERE user_id = $1`, [userId]);
    await em.query(`DELETE FROM passkey_registrations WHERE user_id = $1`, [userId]);
  }

  private async replaceRecoveryCodes(em: EntityManager, userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await em.query(`DELETE FROM user_recovery_codes WHERE user_id = $1`, [userId]);
    await em.query(`INSERT INTO user_recovery_codes (user_id, code_hash) SELECT $1, h FROM unnest($2::text[]) AS h`, [
      userId,
      codes.map(hashRecoveryCode),
    ]);
    return codes;
  }

  /** Recovery codes of a user left with no factor would be a factor alone: they go. */
  private async dropOrphanRecoveryCodes(userId: string): Promise<void> {
    await this.ds.query(
      `DELETE FROM user_recovery_codes WHERE user_id = $1
         AND NOT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM user_passkeys WHERE user_id = $1)`,
      [userId],
    );
  }
}
