// The message format between collectors and writers on NATS JetStream: one message per
// accepted OTLP request (or part of one) and signal. The body is the OTLP protobuf
// Export*ServiceRequest; tenant and receive time travel in headers.
import { createHash } from 'node:crypto';
import type { Signal } from './otlp-types.js';

export const BUS_HEADERS = {
  tenant: 'Tf-Tenant',
  receivedAtNs: 'Tf-Received-At-Ns',
  /**
   * The retention cutoff the collector checked items against (nanoseconds, decimal; absent:
   * none): writers refuse exactly the items the client was told were refused, on every
   * delivery.
   */
  notBeforeNs: 'Tf-Not-Before-Ns',
  /** Set on dead letters: why the writer gave up on the message. */
  deadLetterReason: 'Tf-Dead-Letter-Reason',
  /** Set on dead letters: the stream sequence the message had. */
  deadLetterSeq: 'Tf-Dead-Letter-Seq',
} as const;

// Tenant ids become a subject token: no dots (token separator), no wildcards, no spaces.
const TENANT_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export function isRoutableTenant(tenantId: string): boolean {
  return TENANT_TOKEN.test(tenantId);
}

/** `tf.<signal>.<tenant>`; throws for a tenant id that cannot be one subject token. */
export function busSubject(signal: Signal, tenantId: string): string {
  if (!isRoutableTenant(tenantId))
    throw new Error(`tenant id ${JSON.stringify(tenantId)} cannot be routed: use letters, digits, '-' and '_'`);
  return `tf.${signal}.${tenantId}`;
}

/** The subjects of one signal, as a consumer filter. */
export function busSignalFilter(signal: Signal): string {
  return `tf.${signal}.*`;
}

/**
 * `Nats-Msg-Id` of a message: the same for the same tenant, signal and content, so
 * JetStream stores a client's retry of an export once. The receive time is not part of it
 * (a retry arrives later).
 */
export function busMessageId(signal: Signal, tenantId: string, body: Uint8Array): string {
  const digest = createHash('sha256')
    .update(tenantId)
    .update('\0')
    .update(signal)
    .update('\0')
    .update(body)
    .digest('base64url');
  return `${signal}:${digest}`;
}
