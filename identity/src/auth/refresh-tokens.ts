import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { hashApiKey, randomBase62 } from '../control-plane/api-key-secrets.js';
import { RefreshTokenEntity, SessionEntity } from '../control-plane/entities.js';
import { refreshStep } from './refresh-reuse.js';

type Db = DataSource | EntityManager;

/** `tfr_` and 48 base62 characters (~285 bits); only its sha256 is stored. */
export function generateRefreshToken(): string {
  return `tfr_${randomBase62(48)}`;
}

/** Stores a new refresh token of the session `sessionId` (its family) and returns the secret. */
export async function issueRefreshToken(
  db: Db,
  input: { userId: string; sessionId: string; ttlSeconds: number; now: Date; generation?: number },
): Promise<string> {
  const token = generateRefreshToken();
  await db.getRepository(RefreshTokenEntity).insert({
    id: randomUUID(),
    familyId: input.sessionId,
    sessionId: input.sessionId,
    userId: input.userId,
    tokenHash: hashApiKey(token),
    expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000),
    usedAt: null,
    revokedAt: null,
    generation: input.generation ?? 0,
  });
  return token;
}

/** How refresh tokens rotate: each successor's lifetime, and how long a used token is forgiven (refresh-reuse.ts). */
export interface RotationPolicy {
  ttlSeconds: number;
  reuseGraceSeconds: number;
}

export type RotationResult =
  | { ok: true; userId: string; sessionId: string; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  | { ok: false; reason: 'reused'; sessionId: string };

/**
 * Exchanges a refresh token for the next one of its family (its session) and moves the
 * session's last use and expiry on. A used token presented again within the reuse grace,
 * before its successor was used, gets one more successor (the client lost the answer); any
 * other reuse revokes the whole family, so both holders have to log in again (the caller ends
 * the session). The session row is locked first, so the rotations of one login run one after
 * another, on every replica, in the order ending a session takes its locks.
 */
export async function rotateRefreshToken(
  ds: DataSource,
  token: string,
  policy: RotationPolicy,
  now: Date,
): Promise<RotationResult> {
  const tokenHash = hashApiKey(token);
  return ds.transaction(async (em) => {
    const tokens = em.getRepository(RefreshTokenEntity);
    const owner = await tokens.findOne({ select: { sessionId: true }, where: { tokenHash } });
    if (!owner) return { ok: false, reason: 'unknown' } as const;
    await em.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [owner.sessionId]);
    // Read again under the lock: a rotation that held it may have used or revoked this token.
    const row = await tokens.findOneBy({ tokenHash });
    if (!row) return { ok: false, reason: 'unknown' } as const;
    const [{ head }] = (await em.query('SELECT max(generation)::int AS head FROM refresh_tokens WHERE family_id = $1', [
      row.familyId,
    ])) as [{ head: number }];
    const step = refreshStep(row, head, now, policy.reuseGraceSeconds * 1000);
    if (step === 'revoked' || step === 'expired') return { ok: false, reason: step } as const;
    if (step === 'reused') {
      await revokeFamily(em, row.familyId, now);
      return { ok: false, reason: 'reused', sessionId: row.sessionId } as const;
    }
    if (step === 'rotate')
      // This token and any other successor its predecessor got in a grace: only one chain goes on.
      await em.query(
        'UPDATE refresh_tokens SET used_at = $2 WHERE family_id = $1 AND used_at IS NULL AND revoked_at IS NULL',
        [row.familyId, now],
      );
    const next = await issueRefreshToken(em, {
      userId: row.userId,
      sessionId: row.sessionId,
      ttlSeconds: policy.ttlSeconds,
      now,
      generation: row.generation + 1,
    });
    await em
      .getRepository(SessionEntity)
      .update(
        { id: row.sessionId },
        { lastUsedAt: now, expiresAt: new Date(now.getTime() + policy.ttlSeconds * 1000) },
      );
    return { ok: true, userId: row.userId, sessionId: row.sessionId, refreshToken: next };
  });
}

/**
 * Deletes a user's expired sessions and refresh tokens (at each login, so the tables stay
 * bounded by the logins of one token lifetime). An expired token presented later is then
 * merely unknown.
 */
export async function pruneExpiredRefreshTokens(db: Db, userId: string, now: Date): Promise<void> {
  await db
    .getRepository(SessionEntity)
    .createQueryBuilder()
    .delete()
    .where('user_id = :userId AND expires_at <= :now', { userId, now })
    .execute();
  await db
    .getRepository(RefreshTokenEntity)
    .createQueryBuilder()
    .delete()
    .where('user_id = :userId AND expires_at <= :now', { userId, now })
    .execute();
}

/** The session and user of a refresh token (used or not), or null when it is unknown. */
export async function refreshTokenSession(
  db: Db,
  token: string,
): Promise<{ sessionId: string; userId: string } | null> {
  const row = await db
    .getRepository(RefreshTokenEntity)
    .findOne({ select: { sessionId: true, userId: true }, where: { tokenHash: hashApiKey(token) } });
  return row ? { sessionId: row.sessionId, userId: row.userId } : null;
}

async function revokeFamily(db: Db, familyId: string, now: Date): Promise<void> {
  await db
    .getRepository(RefreshTokenEntity)
    .createQueryBuilder()
    .update()
    .set({ revokedAt: now })
    .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
    .execute();
}
