import type { PeerCertificate } from 'node:tls';

const DAY_MS = 86_400_000;

/** When a peer certificate expires (its `valid_to`, e.g. `Mar  3 12:00:00 2031 GMT`), or null if unreadable. */
export function certificateExpiryMs(cert: Pick<PeerCertificate, 'valid_to'> | undefined): number | null {
  if (!cert?.valid_to) return null;
  const ms = Date.parse(cert.valid_to);
  return Number.isNaN(ms) ? null : ms;
}

/** Null when at least `minDays` whole days are left before `expiresAtMs`, else why the check fails. */
export function expiryFailure(expiresAtMs: number, nowMs: number, minDays: number): string | null {
  if (expiresAtMs <= nowMs) return `TLS certificate expired ${Math.floor((nowMs - expiresAtMs) / DAY_MS)} day(s) ago`;
  const daysLeft = Math.floor((expiresAtMs - nowMs) / DAY_MS);
  return daysLeft >= minDays ? null : `TLS certificate expires in ${daysLeft} day(s), fewer than ${minDays}`;
}
