// Every failure of a check is worded here, once: the owner of a monitor learns what went
// wrong in words (refused, timed out, certificate expired), never a resolved address, a
// socket message or a stack (the detail goes to the log).

/** A failure whose message is already safe to show (an assertion that did not hold). */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

export const TARGET_NOT_ALLOWED =
  'target address not allowed: private, loopback, link-local or reserved addresses are refused';

const BY_CODE: Record<string, string> = {
  TF_BLOCKED_ADDRESS: TARGET_NOT_ALLOWED,
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the target',
  EPIPE: 'connection closed by the target',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_NONAME: 'host name not found',
  EAI_AGAIN: 'host name lookup failed temporarily',
  ENODATA: 'no DNS record of that type',
  ESERVFAIL: 'the DNS server failed to answer (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate is not trusted (self-signed certificate in the chain)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate is not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate is not trusted (unknown issuer)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  HPE_INVALID_CONSTANT: 'invalid HTTP response',
  HPE_INVALID_STATUS: 'invalid HTTP response',
  HPE_INVALID_HEADER_TOKEN: 'invalid HTTP response',
  HPE_HEADER_OVERFLOW: 'HTTP response headers too large',
};

function codeOf(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** What the owner is told about a failed check that ran for at most `timeoutMs`. */
export function failureMessage(err: unknown, timeoutMs: number): string {
  if (err instanceof CheckFailure) return err.message;
  const name = (err as { name?: unknown } | null)?.name;
  const code = codeOf(err);
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'ETIMEDOUT' ||
    code === 'ETIMEOUT' ||
    code === 'ABORT_ERR'
  ) {
    return `timed out after ${formatSeconds(timeoutMs)}`;
  }
  if (code !== undefined && BY_CODE[code] !== undefined) return BY_CODE[code]!;
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) return 'TLS handshake failed';
  if (code?.startsWith('HPE_')) return 'invalid HTTP response';
  return 'check failed';
}

/** The detail for the log: codes and messages, never shown to the owner. */
export function failureDetail(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const own = [typeof e?.code === 'string' ? e.code : '', typeof e?.message === 'string' ? e.message : String(err)]
    .filter(Boolean)
    .join(' ');
  return e?.cause !== undefined && e.cause !== err ? `${own} (${failureDetail(e.cause)})` : own;
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
