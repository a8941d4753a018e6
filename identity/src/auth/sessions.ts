import type { TokenPair } from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';
import { verifyUserPassword } from '../control-plane/accounts.js';
import type { AccessTokens } from './access-tokens.js';
import {
  issueRefreshToken,
  pruneExpiredRefreshTokens,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
} from './refresh-tokens.js';

const REFRESH_FAILURES = {
  unknown: 'unknown refresh token',
  expired: 'the refresh token expired; log in again',
  revoked: 'the refresh token was revoked; log in again',
  reused: 'the refresh token was already used; every session of its login is revoked, log in again',
} as const;

/** Login, refresh and logout: user sessions as an access token plus a rotating refresh token. */
export class Sessions {
  constructor(
    private readonly ds: DataSource,
    private readonly accessTokens: AccessTokens,
    readonly refreshTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await verifyUserPassword(this.ds, email, password);
    if (!user) throw new ApiError(401, 'invalid_credentials', 'unknown email or wrong password');
    const now = new Date(this.now());
    await pruneExpiredRefreshTokens(this.ds, user.id, now);
    const refreshToken = await issueRefreshToken(this.ds, { userId: user.id, ttlSeconds: this.refreshTtlSeconds, now });
    return this.pair(user.id, refreshToken);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const result = await rotateRefreshToken(this.ds, refreshToken, this.refreshTtlSeconds, new Date(this.now()));
    if (!result.ok) throw new ApiError(401, `refresh_token_${result.reason}`, REFRESH_FAILURES[result.reason]);
    return this.pair(result.userId, result.refreshToken);
  }

  /** Ends the login the refresh token belongs to; access tokens already issued run out on their own. */
  async logout(refreshToken: string): Promise<void> {
    if (!(await revokeRefreshTokenFamily(this.ds, refreshToken, new Date(this.now())))) {
      throw new ApiError(401, 'refresh_token_unknown', REFRESH_FAILURES.unknown);
    }
  }

  private async pair(userId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.accessTokens.issue(userId);
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }
}
