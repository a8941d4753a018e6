import type { SecretBox } from '../control-plane/secret-box.js';

/**
 * A sign-in under way between the login redirect and the callback, kept by the browser in a
 * sealed (AES-256-GCM) HttpOnly cookie, so any replica can finish it and none stores it.
 * `SameSite=Lax`: the callback is a top-level navigation from the provider's site.
 */
export const FLOW_COOKIE = 'tf_oidc';
export const FLOW_COOKIE_PATH = '/api/v1/auth/oidc';
/** How long a user has at the identity provider. */
export const FLOW_TTL_SECONDS = 600;
const ASSOCIATED = 'oidc-flow';

export interface OidcFlow {
  tenantId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Where the console goes after the sign-in (a path of the console). */
  returnTo: string;
  /** Epoch ms. */
  expiresAt: number;
}

export function flowCookie(box: SecretBox, flow: OidcFlow, secure: boolean): string {
  return `${FLOW_COOKIE}=${box.seal(JSON.stringify(flow), ASSOCIATED)}; Path=${FLOW_COOKIE_PATH}; Max-Age=${FLOW_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedFlowCookie(secure: boolean): string {
  return `${FLOW_COOKIE}=; Path=${FLOW_COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The flow of a `Cookie` header; null when there is none, it was tampered with, or it expired. */
export function flowFromCookies(box: SecretBox, header: string | undefined, now: number): OidcFlow | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== FLOW_COOKIE) continue;
    const text = box.openOrNull(part.slice(eq + 1).trim(), ASSOCIATED);
    if (text === null) return null;
    const flow = JSON.parse(text) as OidcFlow;
    return flow.expiresAt > now ? flow : null;
  }
  return null;
}

/** A console path to return to after the sign-in: only a same-origin path, else `/`. */
export function safeReturnPath(raw: unknown): string {
  return typeof raw === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,1000}$/.test(raw) ? raw : '/';
}
