/**
 * What a failed delivery tells the API (channel test, a channel's last error, alert
 * history): that it failed and, when the receiver answered, its status — never an address,
 * a port or a socket error, which would map the network behind the target. The details
 * go to the log.
 */
export const DELIVERY_FAILED = {
  unreachable: 'delivery failed: the receiver could not be reached',
  noAnswer: 'delivery failed: the receiver did not answer in time',
  notAllowed: "delivery failed: the receiver's address is not allowed (private, loopback or reserved)",
  answered: (status: number) =>
    `delivery failed: the receiver answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
} as const;

/** How one HTTP attempt ended, as far as retrying goes; `error` is one of DELIVERY_FAILED. */
export type AttemptVerdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; retryAfterMs: number | null; error: string }
  | { kind: 'permanent'; error: string };

/** `Retry-After` as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * 2xx delivered; 408, 425, 429 and 5xx are worth another try (after Retry-After when
 * given); redirects are not followed and other 4xx (400, 403, 404, 410…) will not get
 * better by retrying. Response bodies are never kept: they may echo secrets.
 */
export function verdictOf(status: number, retryAfter: string | string[] | undefined, nowMs: number): AttemptVerdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = DELIVERY_FAILED.answered(status);
  if (status === 408 || status === 425 || status === 429 || status >= 500)
    return { kind: 'retry', retryAfterMs: retryAfterMs(retryAfter, nowMs), error };
  return { kind: 'permanent', error };
}

/** Exponential backoff with full jitter: a random delay up to base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}
