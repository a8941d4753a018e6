import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';
import type { ClientInfo } from './sessions.js';

export type SignInStepKind = 'mfa' | 'mfa_enrolment' | 'password_change';

/** A sign-in between its password and its tokens. */
export interface LoginChallenge {
  id: string;
  userId: string;
  step: SignInStepKind;
  webauthnChallenge: string | null;
  client: ClientInfo;
}

export const DEFAULT_CHALLENGE_TTL_SECONDS = 5 * 60;
/** Wrong answers one challenge takes before it is void (the account's lockout counts them too). */
export const MAX_CHALLENGE_ATTEMPTS = 5;
/** Open challenges per user: older ones are dropped beyond this. */
const MAX_OPEN_PER_USER = 5;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Short-lived, single-use challenge tokens of sign-ins that need another step. Only their hash
 * is stored; they are no session and carry no access. A wrong answer counts against the
 * challenge; the right one spends it.
 */
export class LoginChallenges {
  constructor(
    private readonly ds: DataSource,
    readonly ttlSeconds = DEFAULT_CHALLENGE_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(userId: string, step: SignInStepKind, client: ClientInfo): Promise<{ token: string; expiresIn: number }> {
    const token = `tfc_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await this.ds.transaction(async (em) => {
      await em.query(
        `DELETE FROM login_challenges WHERE user_id = $1 AND (expires_at <= $2 OR id IN (
           SELECT id FROM login_challenges WHERE user_id = $1 ORDER BY created_at DESC OFFSET $3))`,
        [userId, new Date(now), MAX_OPEN_PER_USER - 1],
      );
      await em.query(
        `INSERT INTO login_challenges (id, token_hash, user_id, step, created_at, expires_at, client_address, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          randomUUID(),
          tokenHash(token),
          userId,
          step,
          new Date(now),
          new Date(now + this.ttlSeconds * 1000),
          client.address ?? null,
          client.userAgent ?? null,
        ],
      );
    });
    return { token, expiresIn: this.ttlSeconds };
  }

  /** The open challenge of `token` at `step`; 401 when unknown, spent or expired. */
  async find(token: string, step: SignInStepKind): Promise<LoginChallenge> {
    const [row] = (await this.ds.query(
      `SELECT id, user_id, step, webauthn_challenge, client_address, user_agent FROM login_challenges
        WHERE token_hash = $1 AND expires_at > $2`,
      [tokenHash(token), new Date(this.now())],
    )) as {
      id: string;
      user_id: string;
      step: SignInStepKind;
      webauthn_challenge: string | null;
      client_address: string | null;
      user_agent: string | null;
    }[];
    if (!row) throw new ApiError(401, 'challenge_invalid', 'unknown, used or expired sign-in challenge: sign in again');
    if (row.step !== step) throw new ApiError(409, 'wrong_step', `this sign-in is at step ${row.step}, not ${step}`);
    return {
      id: row.id,
      userId: row.user_id,
      step: row.step,
      webauthnChallenge: row.webauthn_challenge,
      client: {
        ...(row.client_address !== null ? { address: row.client_address } : {}),
        ...(row.user_agent !== null ? { userAgent: row.user_agent } : {}),
      },
    };
  }

  /** Counts a wrong answer; the challenge is void after MAX_CHALLENGE_ATTEMPTS. */
  async failedAttempt(id: string): Promise<void> {
    await this.ds.query(`UPDATE login_challenges SET attempts = attempts + 1 WHERE id = $1`, [id]);
    await this.ds.query(`DELETE FROM login_challenges WHERE id = $1 AND attempts >= $2`, [id, MAX_CHALLENGE_ATTEMPTS]);
  }

  /** Spends the challenge: true for exactly one caller, however many race. */
  async spend(id: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `WITH d AS (DELETE FROM login_challenges WHERE id = $1 AND expires_at > $2 RETURNING id) SELECT id FROM d`,
      [id, new Date(this.now())],
    )) as unknown[];
    return rows.length > 0;
  }

  async setWebauthnChallenge(id: string, challenge: string): Promise<void> {
    await this.ds.query(`UPDATE login_challenges SET webauthn_challenge = $2 WHERE id = $1`, [id, challenge]);
  }
}
