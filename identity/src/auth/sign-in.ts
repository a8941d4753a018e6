import type {
  EnrolledSignIn,
  MfaVerifyRequest,
  SignInResult,
  TokenPair,
  TotpEnrolmentDto,
} from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import { ApiError } from '@telemetryflow/http-kit';
import { hashPassword, verifyUserPassword } from '../control-plane/accounts.js';
import { refusePasswordWhereSsoRequired } from '../sso/sso-required.js';
import type { SecondFactors } from '../mfa/second-factors.js';
import type { LoginChallenges, LoginChallenge, SignInStepKind } from './login-challenges.js';
import type { LoginLockout } from './login-lockout.js';
import type { ClientInfo, Sessions } from './sessions.js';

/** The steps of a sign-in after the password, in order; each applies only when the user needs it. */
const STEPS: readonly SignInStepKind[] = ['mfa', 'password_change', 'mfa_enrolment'];

export function lockedOut(seconds: number): ApiError {
  return new ApiError(
    429,
    'locked_out',
    `too many failed sign-ins for this account or address; retry in ${seconds} s`,
    { retryAfterSeconds: seconds },
  );
}

const wrongFactor = () => new ApiError(401, 'invalid_second_factor', 'wrong, used or expired code, or passkey refused');

/**
 * Sign-in: password → (a second factor when the user has one) → (a new password when an admin
 * set a temporary one) → (enrolling a factor when a tenant of the user requires MFA and they
 * have none) → a session's tokens. Between steps the client holds a challenge token
 * (login-challenges.ts), never a session. Failed passwords and second factors count towards
 * the account's and the address's lockout (login-lockout.ts); the full sign-in clears the account's.
 */
export class SignIn {
  constructor(
    private readonly ds: DataSource,
    private readonly sessions: Sessions,
    private readonly factors: SecondFactors,
    private readonly challenges: LoginChallenges,
    private readonly lockout: LoginLockout,
  ) {}

  async password(email: string, password: string, client: ClientInfo): Promise<SignInResult> {
    await this.refuseLockedOut(email, client);
    const user = await verifyUserPassword(this.ds, email, password);
    if (!user) {
      await this.lockout.failed(email, client.address ?? '');
      throw new ApiError(401, 'invalid_credentials', 'unknown email or wrong password');
    }
    await refusePasswordWhereSsoRequired(this.ds, user.id);
    return this.advance(user.id, user.email, client, 'password');
  }

  /** WebAuthn options for the passkey step of a sign-in; the challenge is kept with the sign-in's. */
  async passkeyOptions(challengeToken: string): Promise<Record<string, unknown>> {
    const challenge = await this.challenges.find(challengeToken, 'mfa');
    const credentials = await this.factors.credentials(challenge.userId);
    if (credentials.length === 0) throw new ApiError(409, 'no_passkey', 'this account has no passkey');
    const options = await this.factors.passkeys.authenticationOptions(credentials);
    await this.challenges.setWebauthnChallenge(challenge.id, String(options.challenge));
    return options;
  }

  async verifySecondFactor(body: MfaVerifyRequest, address: string | undefined): Promise<SignInResult> {
    const challenge = await this.challenges.find(body.challengeToken, 'mfa');
    const email = await this.email(challenge.userId);
    await this.refuseLockedOut(email, { ...challenge.client, ...(address !== undefined ? { address } : {}) });
    if (!(await this.secondFactorPasses(challenge, body))) {
      await this.challenges.failedAttempt(challenge.id);
      await this.lockout.failed(email, address ?? '');
      throw wrongFactor();
    }
    return this.next(challenge, email);
  }

  /** The new password of a sign-in whose password an admin set. */
  async changePassword(challengeToken: string, newPassword: string): Promise<SignInResult> {
    const challenge = await this.challenges.find(challengeToken, 'password_change');
    if (await verifyUserPassword(this.ds, await this.email(challenge.userId), newPassword))
      throw new ApiError(400, 'password_unchanged', 'choose a password other than the temporary one');
    const passwordHash = await hashPassword(newPassword);
    await this.ds.query(`UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, [
      challenge.userId,
      passwordHash,
    ]);
    return this.next(challenge, await this.email(challenge.userId));
  }

  /** A TOTP enrolment of a sign-in that requires one. */
  async startEnrolment(challengeToken: string): Promise<TotpEnrolmentDto> {
    const challenge = await this.challenges.find(challengeToken, 'mfa_enrolment');
    return this.factors.startTotp(challenge.userId, await this.email(challenge.userId));
  }

  /** Confirms the enrolment with a code: the session's tokens and the recovery codes. */
  async confirmEnrolment(challengeToken: string, code: string): Promise<EnrolledSignIn> {
    const challenge = await this.challenges.find(challengeToken, 'mfa_enrolment');
    const recoveryCodes = await this.factors.confirmTotp(challenge.userId, code);
    const result = await this.next(challenge, await this.email(challenge.userId));
    if ('step' in result) throw new Error(`a sign-in after enrolment needs step ${result.step}`);
    return { ...result, recoveryCodes };
  }

  private async secondFactorPasses(challenge: LoginChallenge, body: MfaVerifyRequest): Promise<boolean> {
    if (body.totpCode !== undefined) return this.factors.verifyTotp(challenge.userId, body.totpCode);
    if (body.recoveryCode !== undefined) return this.factors.useRecoveryCode(challenge.userId, body.recoveryCode);
    if (body.passkey === undefined || challenge.webauthnChallenge === null) return false;
    const credentials = await this.factors.credentials(challenge.userId);
    const used = await this.factors.passkeys.verifyAuthentication(
      body.passkey,
      challenge.webauthnChallenge,
      credentials,
    );
    if (!used) return false;
    await this.factors.passkeyUsed(used.credential.id, used.newCounter);
    return true;
  }

  /** Spends the challenge (once: a replay gets 401) and goes on after its step. */
  private async next(challenge: LoginChallenge, email: string): Promise<SignInResult> {
    if (!(await this.challenges.spend(challenge.id)))
      throw new ApiError(401, 'challenge_invalid', 'unknown, used or expired sign-in challenge: sign in again');
    return this.advance(challenge.userId, email, challenge.client, challenge.step);
  }

  private async advance(
    userId: string,
    email: string,
    client: ClientInfo,
    after: SignInStepKind | 'password',
  ): Promise<SignInResult> {
    const methods = await this.factors.methods(userId);
    for (const step of STEPS.slice(STEPS.indexOf(after as SignInStepKind) + 1)) {
      if (!(await this.needs(step, userId, methods.length > 0))) continue;
      const { token, expiresIn } = await this.challenges.issue(userId, step, client);
      return { step, challengeToken: token, expiresIn, methods: step === 'mfa' ? methods : [] };
    }
    const pair: TokenPair = await this.sessions.open(userId, client);
    await this.lockout.succeeded(email);
    return pair;
  }

  private async needs(step: SignInStepKind, userId: string, hasFactor: boolean): Promise<boolean> {
    switch (step) {
      case 'mfa':
        return hasFactor;
      case 'password_change': {
        const [row] = (await this.ds.query(`SELECT must_change_password FROM users WHERE id = $1`, [userId])) as {
          must_change_password: boolean;
        }[];
        return row?.must_change_password === true;
      }
      case 'mfa_enrolment':
        return !hasFactor && (await this.factors.required(userId));
    }
  }

  private async refuseLockedOut(email: string, client: ClientInfo): Promise<void> {
    const wait = await this.lockout.wait(email, client.address ?? '');
    if (wait > 0) throw lockedOut(wait);
  }

  private async email(userId: string): Promise<string> {
    const [row] = (await this.ds.query(`SELECT email FROM users WHERE id = $1`, [userId])) as { email: string }[];
    if (!row) throw new ApiError(401, 'challenge_invalid', 'this account no longer exists');
    return row.email;
  }
}
