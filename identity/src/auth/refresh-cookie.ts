/**
 * The browser's refresh token lives in an HttpOnly cookie scoped to the auth routes, so page
 * scripts never see it: `SameSite=Strict` keeps other sites' requests from carrying it, and
 * `Secure` is set whenever the request came over TLS (directly, or per a trusted proxy).
 */
export const REFRESH_COOKIE = 'tf_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export function refreshCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${REFRESH_COOKIE}=${token}; Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Tells the browser to drop the cookie (logout, or a refresh token that no longer works). */
export function clearedRefreshCookie(secure: boolean): string {
  return refreshCookie('', 0, secure);
}

/** The refresh token in a `Cookie` header, if there is one. */
export function refreshTokenFromCookies(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === REFRESH_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
