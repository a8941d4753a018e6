// Sign-in steps after the password (second factor, enrolment a tenant requires, a password an
// admin set), second factors of the signed-in user (TOTP, recovery codes, passkeys), and the
// admin's side (a tenant's MFA policy, resetting a member's password or MFA).
import { z } from 'zod';
import { TokenPairSchema } from './identity.js';

/** How a sign-in's second step can be passed. */
export const MFA_METHODS = ['totp', 'recovery_code', 'passkey'] as const;
export const MfaMethodSchema = z.enum(MFA_METHODS);
export type MfaMethod = z.infer<typeof MfaMethodSchema>;

/**
 * What a sign-in still needs before tokens: a second factor (`mfa`), enrolling one because a
 * tenant of the user requires it (`mfa_enrolment`), or a new password because an admin set a
 * temporary one (`password_change`). The challenge token is short-lived, single-use and no session.
 */
export const SignInStepSchema = z.object({
  step: z.enum(['mfa', 'mfa_enrolment', 'password_change']),
  challengeToken: z.string(),
  /** Seconds the challenge token stays valid. */
  expiresIn: z.number().int(),
  /** For `mfa`: the factors the user has. */
  methods: z.array(MfaMethodSchema),
});
export type SignInStep = z.infer<typeof SignInStepSchema>;

/** Answer of the sign-in routes: tokens, or the next step. */
export const SignInResultSchema = z.union([TokenPairSchema, SignInStepSchema]);
export type SignInResult = z.infer<typeof SignInResultSchema>;

export const isSignInStep = (r: SignInResult): r is SignInStep => 'step' in r;

const ChallengeTokenSchema = z.string().min(16).max(128);
/** Six digits; spaces an authenticator app shows between groups are ignored. */
const TotpCodeSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'a TOTP code is six digits'));
/** A WebAuthn response as @simplewebauthn/browser gives it (checked by the server's verifier). */
const WebAuthnResponseSchema = z.record(z.string(), z.unknown());

export const ChallengeTokenRequestSchema = z.object({ challengeToken: ChallengeTokenSchema });
export type ChallengeTokenRequest = z.infer<typeof ChallengeTokenRequestSchema>;

/** `POST /api/v1/auth/mfa`: exactly one of a TOTP code, a recovery code or a passkey's answer. */
export const MfaVerifyRequestSchema = z
  .object({
    challengeToken: ChallengeTokenSchema,
    totpCode: TotpCodeSchema.optional(),
    recoveryCode: z.string().trim().min(1).max(64).optional(),
    passkey: WebAuthnResponseSchema.optional(),
  })
  .refine(
    (b) => [b.totpCode, b.recoveryCode, b.passkey].filter((v) => v !== undefined).length === 1,
    'give exactly one of totpCode, recoveryCode, passkey',
  );
export type MfaVerifyRequest = z.infer<typeof MfaVerifyRequestSchema>;

/** `POST /api/v1/auth/password`: the new password of a sign-in whose password an admin set. */
export const SignInPasswordRequestSchema = z.object({
  challengeToken: ChallengeTokenSchema,
  newPassword: z.string().min(12).max(1024),
});
export type SignInPasswordRequest = z.infer<typeof SignInPasswordRequestSchema>;

/** A TOTP enrolment not confirmed yet: the URI an authenticator app takes, as a QR code too. */
export const TotpEnrolmentSchema = z.object({
  otpauthUri: z.string(),
  /** A PNG data URL of the QR code of `otpauthUri`. */
  qrCodeDataUrl: z.string(),
  /** The base32 secret, for typing it in by hand. */
  secret: z.string(),
});
export type TotpEnrolmentDto = z.infer<typeof TotpEnrolmentSchema>;

export const TotpCodeRequestSchema = z.object({ code: TotpCodeSchema });
export type TotpCodeRequest = z.infer<typeof TotpCodeRequestSchema>;

export const SignInTotpConfirmRequestSchema = z.object({ challengeToken: ChallengeTokenSchema, code: TotpCodeSchema });
export type SignInTotpConfirmRequest = z.infer<typeof SignInTotpConfirmRequestSchema>;

/** Ten one-time recovery codes, shown this once (stored hashed). */
export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodesDto = z.infer<typeof RecoveryCodesSchema>;

/** Confirming TOTP: the recovery codes when this is the user's first factor (else none). */
export const TotpConfirmedSchema = RecoveryCodesSchema;

/** Confirming TOTP during a sign-in that required enrolment: the tokens and the recovery codes. */
export const EnrolledSignInSchema = TokenPairSchema.extend({ recoveryCodes: z.array(z.string()) });
export type EnrolledSignIn = z.infer<typeof EnrolledSignInSchema>;

export const PasskeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type PasskeyDto = z.infer<typeof PasskeySchema>;

/** The signed-in user's second factors. */
export const MfaStatusSchema = z.object({
  totp: z.boolean(),
  recoveryCodesLeft: z.number().int(),
  passkeys: z.array(PasskeySchema),
  /** Whether a tenant of the user requires MFA. */
  required: z.boolean(),
});
export type MfaStatusDto = z.infer<typeof MfaStatusSchema>;

/** WebAuthn options for `navigator.credentials` (`@simplewebauthn/browser`'s optionsJSON). */
export const WebAuthnOptionsSchema = z.record(z.string(), z.unknown());
export type WebAuthnOptionsDto = z.infer<typeof WebAuthnOptionsSchema>;

export const RegisterPasskeyRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  response: WebAuthnResponseSchema,
});
export type RegisterPasskeyRequest = z.infer<typeof RegisterPasskeyRequestSchema>;

/** Turning a factor off or new recovery codes: the password proves it is the user, not a stolen session. */
export const PasswordConfirmationSchema = z.object({ password: z.string().min(1).max(1024) });
export type PasswordConfirmation = z.infer<typeof PasswordConfirmationSchema>;

/** A tenant's sign-in policy. */
export const TenantSecuritySchema = z.object({ requireMfa: z.boolean() });
export type TenantSecurityDto = z.infer<typeof TenantSecuritySchema>;

/** An admin sets a member's temporary password; the member must change it at the next sign-in. */
export const ResetPasswordRequestSchema = z.object({ temporaryPassword: z.string().min(12).max(1024) });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;

/** A registered passkey, with the recovery codes when it is the user's first factor (else none). */
export const PasskeyRegisteredSchema = z.object({ passkey: PasskeySchema, recoveryCodes: z.array(z.string()) });
export type PasskeyRegisteredDto = z.infer<typeof PasskeyRegisteredSchema>;
