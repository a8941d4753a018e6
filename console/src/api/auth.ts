import { request } from './http.js';

/** `POST /auth/login` and `/auth/refresh` answer with a short-lived access token and a rotating refresh token. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function login(email: string, password: string) {
  return request<SessionTokens>('/auth/login', { method: 'POST', body: { email, password }, anonymous: true });
}

export function refreshSession(refreshToken: string) {
  return request<SessionTokens>('/auth/refresh', { method: 'POST', body: { refreshToken }, anonymous: true });
}

export function logout(refreshToken: string) {
  return request<unknown>('/auth/logout', { method: 'POST', body: { refreshToken }, anonymous: true });
}

/** An API key works as a bearer token too: a cheap read proves it is valid and may read. */
export function checkApiKey(key: string) {
  const now = Date.now();
  return request<unknown>('/services', { query: { from: now - 60_000, to: now }, token: key });
}
