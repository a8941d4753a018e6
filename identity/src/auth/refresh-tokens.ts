import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { hashApiKey, randomBase62 } from '../control-plane/api-key-secrets.js';
import { RefreshTokenEntity, SessionEntity } from '../control-plane/entities.js';

type Db = DataSource | EntityManager;

/** `tfr_` and 48 base62 characters (~285 bits); only its sha256 is stored. */
export function generateRefreshToken(): string {
  return `tfr_${randomBase62(48)}`;
}

/** Stores a new refresh token of the session `sessionId` (its family) and returns the secret. */
export async function issueRefreshToken(
  db: Db,
  input: { userId: string; sessionId: string; ttlSeconds: number; now: Date },
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
  });
  return token;
}

export type RotationResult =
  | { ok: true; userId: string; sessionId: string; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  | { ok: false; reason: 'reused'; sessionId: string };

/**
 * Exchanges a refresh token for the next one of its family (its session) and moves the
 * session's last use and expiry on. A token presented a second time (it was stolen, or the
 * client lost the answer) revokes the whole family, so both holders have to log in again (the
 * caller ends the session). Rows are locked, so two concurrent refreshes with one token count
 * as a reuse.
 */
export async function rotateRefreshToken(
  ds: DataSource,
  token: string,
  ttlSeconds: number,
  now: Date,
): Promise<RotationResult> {
  return ds.transaction(async (em) => {
    const row = await em
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.token_hash = :hash', { hash: hashApiKey(token) })
      .getOne();
    if (!row) return { ok: false, reason: 'unknown' } as const;
    if (row.revokedAt !== null) return { ok: false, reason: 'revoked' } as const;
    if (row.usedAt !== null) {
      await revokeFamily(em, row.familyId, now);
      return { ok: false, reason: 'reused', sessionId: row.sessionId } as const;
    }
    if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' } as const;
    await em.getRepository(RefreshTokenEntity).update({ id: row.id }, { usedAt: now });
    const next = await issueRefreshToken(em, { userId: row.userId, sessionId: row.sessionId, ttlSeconds, now });
    await em
      .getRepository(SessionEntity)
      .update({ id: row.sessionId }, { lastUsedAt: now, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) });
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
