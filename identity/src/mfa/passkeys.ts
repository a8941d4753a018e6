import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { DataSource } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';

/** Where passkeys are used: the console's public URL (`TF_PUBLIC_URL`) gives the RP ID (its host) and origin. */
export interface PasskeyConfig {
  publicUrl: string;
  /** Shown by the authenticator (default TelemetryFlow). */
  rpName?: string;
}

/** A registration or sign-in challenge is answered within this long. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;

export interface StoredCredential {
  id: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
}

/**
 * WebAuthn ceremonies (`@simplewebauthn/server`). A registration's challenge is kept in Postgres,
 * one per user (a new one replaces it), expiring after 5 minutes and spent by its verification;
 * a sign-in's lives on the sign-in challenge (login-challenges.ts).
 */
export class Passkeys {
  readonly rpId: string;
  readonly origin: string;
  private readonly rpName: string;

  constructor(
    private readonly ds: DataSource,
    cfg: PasskeyConfig,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(cfg.publicUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
    this.rpName = cfg.rpName ?? 'TelemetryFlow';
  }

  async registrationOptions(
    userId: string,
    email: string,
    existing: readonly StoredCredential[],
  ): Promise<Record<string, unknown>> {
    const options = await generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpId,
      userName: email,
      userID: Buffer.from(userId.replace(/-/g, ''), 'hex'),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      timeout: PASSKEY_CHALLENGE_TTL_MS,
    });
    await this.ds.query(
      `INSERT INTO passkey_registrations (user_id, challenge, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET challenge = EXCLUDED.challenge, expires_at = EXCLUDED.expires_at`,
      [userId, options.challenge, new Date(this.now() + PASSKEY_CHALLENGE_TTL_MS)],
    );
    return options as unknown as Record<string, unknown>;
  }

  /** Verifies a registration against the user's pending challenge (spent either way). */
  async verifyRegistration(
    userId: string,
    response: Record<string, unknown>,
  ): Promise<{ id: string; publicKey: Uint8Array; counter: number; transports: string[] }> {
    const [pending] = (await this.ds.query(
      `WITH d AS (DELETE FROM passkey_registrations WHERE user_id = $1 RETURNING challenge, expires_at)
       SELECT challenge, expires_at FROM d`,
      [userId],
    )) as { challenge: string; expires_at: Date }[];
    if (!pending || pending.expires_at.getTime() <= this.now())
      throw new ApiError(409, 'no_passkey_challenge', 'no pending passkey registration (or it expired): start again');
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: pending.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: false,
      });
    } catch (err) {
      throw new ApiError(400, 'invalid_passkey', `the passkey registration was refused: ${(err as Error).message}`);
    }
    if (!verified.verified) throw new ApiError(400, 'invalid_passkey', 'the passkey registration was refused');
    const c = verified.registrationInfo.credential;
    return { id: c.id, publicKey: c.publicKey, counter: c.counter, transports: c.transports ?? [] };
  }

  async authenticationOptions(credentials: readonly StoredCredential[]): Promise<Record<string, unknown>> {
    const options = await generateAuthenticationOptions({
      rpID: this.rpId,
      allowCredentials: credentials.map((c) => ({ id: c.credentialId, transports: c.transports })),
      userVerification: 'preferred',
      timeout: PASSKEY_CHALLENGE_TTL_MS,
    });
    return options as unknown as Record<string, unknown>;
  }

  /** The credential used and its new counter, or null when the answer does not verify. */
  async verifyAuthentication(
    response: Record<string, unknown>,
    expectedChallenge: string,
    credentials: readonly StoredCredential[],
  ): Promise<{ credential: StoredCredential; newCounter: number } | null> {
    const credential = credentials.find((c) => c.credentialId === response.id);
    if (!credential) return null;
    try {
      const result = await verifyAuthenticationResponse({
        response: response as unknown as AuthenticationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        credential: {
          id: credential.credentialId,
          publicKey: new Uint8Array(credential.publicKey),
          counter: credential.counter,
          transports: credential.transports,
        },
        requireUserVerification: false,
      });
      return result.verified ? { credential, newCounter: result.authenticationInfo.newCounter } : null;
    } catch {
      return null;
    }
  }
}
