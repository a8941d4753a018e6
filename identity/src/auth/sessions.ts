import { randomUUID } from 'node:crypto';
import type { SessionDto, TokenPair } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';
import { hashPassword, verifyUserPassword } from '../control-plane/accounts.js';
import { SessionEntity, UserEntity } from '../control-plane/entities.js';
import type { AccessTokens } from './access-tokens.js';
import {
  issueRefreshToken,
  pruneExpiredRefreshTokens,
  refreshTokenSession,
  rotateRefreshToken,
} from './refresh-tokens.js';
import type { Revocation, RevocationList } from './revocation-list.js';

const REFRESH_FAILURES = {
  unknown: 'unknown refresh token',
  expired: 'the refresh token expired; log in again',
  revoked: 'the refresh token was revoked; log in again',
  reused: 'the refresh token was already used; every session of its login is revoked, log in again',
} as const;

/** Why a session ended (`sessions.revoked_reason`). */
export type SessionEndReason =
  | 'logout'
  | 'user'
  | 'password_change'
  | 'admin'
  | 'refresh_reuse'
  | 'password_reset'
  | 'mfa_reset'
  | 'account_deleted';

/** Where a login came from, kept with its session. */
export interface ClientInfo {
  address?: string;
  userAgent?: string;
}

/** Sessions ended in a transaction: `apply` once it committed makes them effective in this process. */
export interface EndedSessions {
  count: number;
  apply(): void;
}

/** A session's last use is written at most this often from API requests (refreshes always write it). */
const TOUCH_INTERVAL_MS = 60_000;
/** Revocations outlive the access tokens they refuse by this much (clocks of replicas differ a little). */
const REVOCATION_MARGIN_MS = 60_000;
const MAX_USER_AGENT = 512;

interface SessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  client_address: string | null;
  user_agent: string | null;
}

/**
 * Sign-in sessions: a login creates one, its access tokens carry its id (`sid`) and its refresh
 * tokens belong to it. Ending a session (logout, the user, a password change, an admin, a reused
 * refresh token — one presented again after the reuse grace or after its successor was used) revokes its refresh tokens at once and puts it on the
 * revocation list, which every replica checks for each access token.
 */
export class Sessions {
  private readonly lastTouch = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly ds: DataSource,
    private readonly accessTokens: AccessTokens,
    readonly refreshTtlSeconds: number,
    /** How long a used refresh token may be presented again before it counts as stolen (ADR 0026). */
    private readonly refreshReuseGraceSeconds: number,
    private readonly revocations: RevocationList,
    private readonly now: () => number = Date.now,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** A new session of a user who passed every step of a sign-in (sign-in.ts): its first tokens. */
  async open(userId: string, client: ClientInfo = {}): Promise<TokenPair> {
    const now = new Date(this.now());
    const sessionId = randomUUID();
    const refreshToken = await this.ds.transaction(async (em) => {
      await pruneExpiredRefreshTokens(em, userId, now);
      await em.getRepository(SessionEntity).insert({
        id: sessionId,
        userId,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + this.refreshTtlSeconds * 1000),
        clientAddress: client.address ?? null,
        userAgent: client.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
        revokedAt: null,
        revokedReason: null,
      });
      return issueRefreshToken(em, { userId, sessionId, ttlSeconds: this.refreshTtlSeconds, now });
    });
    return this.pair(userId, sessionId, refreshToken);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const result = await rotateRefreshToken(
      this.ds,
      refreshToken,
      { ttlSeconds: this.refreshTtlSeconds, reuseGraceSeconds: this.refreshReuseGraceSeconds },
      new Date(this.now()),
    );
    if (!result.ok) {
      if (result.reason === 'reused') await this.end({ sessionId: result.sessionId }, 'refresh_reuse');
      throw new ApiError(401, `refresh_token_${result.reason}`, REFRESH_FAILURES[result.reason]);
    }
    return this.pair(result.userId, result.sessionId, result.refreshToken);
  }

  /** Ends the session the refresh token belongs to, and with it every access token issued to it. */
  async logout(refreshToken: string): Promise<void> {
    const session = await refreshTokenSession(this.ds, refreshToken);
    if (!session) throw new ApiError(401, 'refresh_token_unknown', REFRESH_FAILURES.unknown);
    await this.end({ sessionId: session.sessionId }, 'logout');
  }

  /** The user's sessions that can still be used, most recently used first. */
  async list(userId: string, currentSessionId: string | undefined): Promise<SessionDto[]> {
    const rows = (await this.ds.query(
      `SELECT id, created_at, last_used_at, expires_at, client_address, user_agent FROM sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
        ORDER BY last_used_at DESC, id`,
      [userId, new Date(this.now())],
    )) as SessionRow[];
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      clientAddress: r.client_address,
      userAgent: r.user_agent,
      current: r.id === currentSessionId,
    }));
  }

  /** Ends one session of the user; false when the user has no such session still open. */
  async revoke(userId: string, sessionId: string, reason: SessionEndReason): Promise<boolean> {
    return (await this.end({ userId, sessionId }, reason)) > 0;
  }

  /** Ends every session of the user, except `keep` when given; the number ended. */
  async revokeAll(userId: string, reason: SessionEndReason, keep?: string): Promise<number> {
    return this.end({ userId, ...(keep !== undefined ? { keep } : {}) }, reason);
  }

  /** Ends every session of the user in `em`'s transaction (an admin's revocation); `apply` after it committed. */
  async revokeAllIn(em: EntityManager, userId: string, reason: SessionEndReason): Promise<EndedSessions> {
    const recorded = await this.endIn(em, { userId }, reason);
    return { count: recorded.length, apply: () => this.revocations.apply(recorded) };
  }

  /**
   * Changes the user's password when `currentPassword` is right, and ends every other session
   * (the one of this request stays signed in); the number of sessions ended.
   */
  async changePassword(
    userId: string,
    currentSessionId: string | undefined,
    currentPassword: string,
    newPassword: string,
  ): Promise<number> {
    const user = await this.ds.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user || !(await verifyUserPassword(this.ds, user.email, currentPassword)))
      throw new ApiError(403, 'invalid_credentials', 'the current password is wrong');
    const passwordHash = await hashPassword(newPassword);
    let recorded: Revocation[] = [];
    await this.ds.transaction(async (em) => {
      await em.query(`UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, [
        userId,
        passwordHash,
      ]);
      recorded = await this.endIn(
        em,
        { userId, ...(currentSessionId !== undefined ? { keep: currentSessionId } : {}) },
        'password_change',
      );
    });
    this.revocations.apply(recorded);
    return recorded.length;
  }

  /** Whether access tokens of this session are refused (an in-memory look-up). */
  isRevoked(sessionId: string): boolean {
    return this.revocations.isSessionRevoked(sessionId);
  }

  /** Records an API request of the session: its last use is written in the background, at most once a minute. */
  touch(sessionId: string): void {
    const now = this.now();
    const last = this.lastTouch.get(sessionId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouch.delete(sessionId);
    this.lastTouch.set(sessionId, now);
    if (this.lastTouch.size > 10_000) {
      const oldest = this.lastTouch.keys().next();
      if (!oldest.done) this.lastTouch.delete(oldest.value);
    }
    const p = this.ds
      .query('UPDATE sessions SET last_used_at = $2 WHERE id = $1 AND last_used_at < $2', [sessionId, new Date(now)])
      .then(() => undefined)
      .catch((err: unknown) => this.log(`session last_used_at update failed: ${String(err)}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for background writes. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async end(
    which: { userId?: string; sessionId?: string; keep?: string },
    reason: SessionEndReason,
  ): Promise<number> {
    const recorded = await this.ds.transaction((em) => this.endIn(em, which, reason));
    this.revocations.apply(recorded);
    return recorded.length;
  }

  /** Marks the sessions ended, revokes their refresh tokens and records their revocation, in `em`'s transaction. */
  private async endIn(
    em: EntityManager,
    which: { userId?: string; sessionId?: string; keep?: string },
    reason: SessionEndReason,
  ): Promise<Revocation[]> {
    const now = new Date(this.now());
    // A data-modifying WITH answers like a SELECT, whatever the driver does with UPDATE results.
    const ended = (await em.query(
      `WITH ended AS (
         UPDATE sessions SET revoked_at = $4, revoked_reason = $5
          WHERE revoked_at IS NULL
            AND ($1::uuid IS NULL OR user_id = $1)
            AND ($2::uuid IS NULL OR id = $2)
            AND ($3::uuid IS NULL OR id <> $3)
          RETURNING id)
       SELECT id FROM ended`,
      [which.userId ?? null, which.sessionId ?? null, which.keep ?? null, now, reason],
    )) as { id: string }[];
    const ids = ended.map((r) => r.id);
    if (ids.length === 0) return [];
    await em.query(
      `UPDATE refresh_tokens SET revoked_at = $2 WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL`,
      [ids, now],
    );
    return this.revocations.record(em, 'session', ids, this.accessTokens.ttlSeconds * 1000 + REVOCATION_MARGIN_MS);
  }

  private async pair(userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.accessTokens.issue(userId, sessionId);
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }
}
