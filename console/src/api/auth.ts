import type { AccessToken, MeDto, SignInResult } from '@telemetryflow/contract';
import { request } from './http.js';

/**
 * Tokens (the refresh token also set as the HttpOnly session cookie, which is all the console
 * keeps of it), or the next step of the sign-in (a second factor, a new password, an enrolment).
 */
export function login(email: string, password: string) {
  return request<SignInResult>('/auth/login', { method: 'POST', body: { email, password }, anonymous: true });
}

/** A new access token from the session cookie (which the answer rotates). */
export function refreshSession() {
  return request<AccessToken>('/auth/refresh', { method: 'POST', body: {}, anonymous: true });
}

/** Ends the login of the session cookie and clears it. */
export function logout() {
  return request<unknown>('/auth/logout', { method: 'POST', body: {}, anonymous: true });
}

/** Who the credential is; `token` checks an API key before it becomes the session. */
export function me(token?: string) {
  return request<MeDto>('/me', token !== undefined ? { token } : {});
}
