export interface OriginRequest {
  /** `https` over TLS, or when a trusted proxy says so (X-Forwarded-Proto). */
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The origin a request was sent to (scheme and Host), for redirect URIs when `TF_PUBLIC_URL` is unset. */
export function requestOrigin(req: OriginRequest): string {
  const host = req.headers.host;
  if (typeof host !== 'string' || !HOST.test(host)) return 'http://localhost';
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
}
