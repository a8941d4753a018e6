import type { MeDto, TokenPair } from '@telemetryflow/schemas';
import { request } from './http.js';

export function login(email: string, password: string) {
  return request<TokenPair>('/auth/login', { method: 'POST', body: { email, password }, anonymous: true });
}

export function refreshSession(refreshToken: string) {
  return request<TokenPair>('/auth/refresh', { method: 'POST', body: { refreshToken }, anonymous: true });
}

export function logout(refreshToken: string) {
  return request<unknown>('/auth/logout', { method: 'POST', body: { refreshToken }, anonymous: true });
}

/** Who the credential is; `token` checks an API key before it becomes the session. */
export function me(token?: string) {
  return request<MeDto>('/me', token !== undefined ? { token } : {});
}
