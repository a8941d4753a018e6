import type { AccessToken, MeDto, TokenPair } from '@telemetryflow/contract';
import { request } from './http.js';

/** Also sets the refresh token as the HttpOnly session cookie, which is all the console keeps of it. */
export function login(email: string, password: string) {
  return request<TokenPair>('/auth/login', { method: 'POST', body: { email, password }, anonymous: true });
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
