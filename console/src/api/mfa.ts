import type {
  EnrolledSignIn,
  MfaStatusDto,
  MfaVerifyRequest,
  PasskeyRegisteredDto,
  RecoveryCodesDto,
  RevokedSessionsDto,
  SessionDto,
  SignInResult,
  TenantSecurityDto,
  TotpEnrolmentDto,
  WebAuthnOptionsDto,
} from '@telemetryflow/contract';
import { request } from './http.js';

// The steps of a sign-in after its password: the challenge token in the body is the credential.

export function verifySecondFactor(body: MfaVerifyRequest) {
  return request<SignInResult>('/auth/mfa', { method: 'POST', body, anonymous: true });
}

export function signInPasskeyOptions(challengeToken: string) {
  return request<WebAuthnOptionsDto>('/auth/mfa/passkey-options', {
    method: 'POST',
    body: { challengeToken },
    anonymous: true,
  });
}

export function changeTemporaryPassword(challengeToken: string, newPassword: string) {
  return request<SignInResult>('/auth/password', {
    method: 'POST',
    body: { challengeToken, newPassword },
    anonymous: true,
  });
}

export function startSignInEnrolment(challengeToken: string) {
  return request<TotpEnrolmentDto>('/auth/mfa/totp/enrol', {
    method: 'POST',
    body: { challengeToken },
    anonymous: true,
  });
}

export function confirmSignInEnrolment(challengeToken: string, code: string) {
  return request<EnrolledSignIn>('/auth/mfa/totp/confirm', {
    method: 'POST',
    body: { challengeToken, code },
    anonymous: true,
  });
}

// The signed-in user's second factors and sessions.

export function mfaStatus() {
  return request<MfaStatusDto>('/me/mfa');
}

export function startTotp() {
  return request<TotpEnrolmentDto>('/me/mfa/totp', { method: 'POST' });
}

export function confirmTotp(code: string) {
  return request<RecoveryCodesDto>('/me/mfa/totp/confirm', { method: 'POST', body: { code } });
}

/** Removing a factor and new recovery codes take the password: a session alone is not enough. */
export function removeTotp(password: string) {
  return request<void>('/me/mfa/totp', { method: 'DELETE', body: { password } });
}

export function regenerateRecoveryCodes(password: string) {
  return request<RecoveryCodesDto>('/me/mfa/recovery-codes', { method: 'POST', body: { password } });
}

export function passkeyRegistrationOptions() {
  return request<WebAuthnOptionsDto>('/me/mfa/passkeys/options', { method: 'POST' });
}

export function registerPasskey(name: string, response: unknown) {
  return request<PasskeyRegisteredDto>('/me/mfa/passkeys', { method: 'POST', body: { name, response } });
}

export function removePasskey(id: string, password: string) {
  return request<void>(`/me/mfa/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE', body: { password } });
}

export function listSessions() {
  return request<SessionDto[]>('/me/sessions');
}

export function endSession(id: string) {
  return request<void>(`/me/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function endOtherSessions() {
  return request<RevokedSessionsDto>('/me/sessions', { method: 'DELETE' });
}

// An admin's side.

const tenantPath = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}`;

export function tenantSecurity(tenantId: string) {
  return request<TenantSecurityDto>(`${tenantPath(tenantId)}/security`);
}

export function setTenantSecurity(tenantId: string, body: TenantSecurityDto) {
  return request<TenantSecurityDto>(`${tenantPath(tenantId)}/security`, { method: 'PUT', body });
}

export function resetMemberPassword(tenantId: string, userId: string, temporaryPassword: string) {
  return request<RevokedSessionsDto>(`${tenantPath(tenantId)}/members/${encodeURIComponent(userId)}/password`, {
    method: 'POST',
    body: { temporaryPassword },
  });
}

export function resetMemberMfa(tenantId: string, userId: string) {
  return request<RevokedSessionsDto>(`${tenantPath(tenantId)}/members/${encodeURIComponent(userId)}/mfa`, {
    method: 'DELETE',
  });
}
