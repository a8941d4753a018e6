import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export const JWT_ISSUER = 'telemetryflow';
export const JWT_AUDIENCE = 'telemetryflow-api';
const ALGORITHM = 'HS256';
/** HS256 needs a key at least as long as its output. */
export const MIN_JWT_SECRET_BYTES = 32;

/** A JWS compact serialization: three base64url parts (API keys never contain dots in this shape). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/** What a valid access token says: whose it is and the session it was issued to. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

/**
 * Short-lived user access tokens: HS256 JWTs with `sub` (user id), `sid` (session id), `iss`,
 * `aud`, `iat`, `exp` and `jti`. Verification pins the algorithm and checks issuer, audience and
 * expiry; a token without a session is refused (it could not be ended).
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: Uint8Array,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.byteLength < MIN_JWT_SECRET_BYTES)
      throw new Error(`the JWT secret must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
    this.key = secret;
  }

  async issue(userId: string, sessionId: string): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.now() / 1000);
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, expiresIn: this.ttlSeconds };
  }

  /** User and session of a valid token; null for anything else (bad signature, algorithm, audience, issuer, expired, no session). */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        requiredClaims: ['exp', 'sub', 'sid'],
        currentDate: new Date(this.now()),
      });
      const { sub, sid } = payload;
      return typeof sub === 'string' && sub.length > 0 && typeof sid === 'string' && sid.length > 0
        ? { userId: sub, sessionId: sid }
        : null;
    } catch {
      return null;
    }
  }
}
