import { createHash } from 'node:crypto';

/** An audit event as stored in ClickHouse `audit_events`, the unit the chain hashes. */
export interface AuditRecord {
  id: string;
  tenantId: string;
  seq: number;
  /** Milliseconds since the epoch. */
  timeMs: number;
  actorType: string;
  actorId: string;
  /** The user's e-mail address or the API key's prefix. */
  actorLabel: string;
  clientAddress: string;
  userAgent: string;
  action: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  outcome: string;
  status: number;
  requestId: string;
  /** JSON of the resource before and after the change, secrets redacted; '' when unknown. */
  before: string;
  after: string;
}

export interface SealedAuditRecord extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** The hash before a tenant's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The record's fields in key order, as JSON: the same bytes wherever the record was read from. */
export function canonicalJson(r: AuditRecord): string {
  const fields: AuditRecord = {
    action: r.action,
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    actorType: r.actorType,
    after: r.after,
    before: r.before,
    clientAddress: r.clientAddress,
    id: r.id,
    outcome: r.outcome,
    requestId: r.requestId,
    resourceId: r.resourceId,
    resourceName: r.resourceName,
    resourceType: r.resourceType,
    seq: r.seq,
    status: r.status,
    tenantId: r.tenantId,
    timeMs: r.timeMs,
    userAgent: r.userAgent,
  } as AuditRecord;
  return JSON.stringify(fields);
}

/** SHA-256 (hex) over the previous event's hash and the canonical JSON of this one. */
export function chainHash(prevHash: string, r: AuditRecord): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(r)).digest('hex');
}

export interface ChainBreak {
  eventId: string;
  seq: number;
  /** What is wrong: the event's own hash, its link to the previous event, or a missing event. */
  kind: 'hash' | 'link' | 'gap';
  expected: string;
  stored: string;
}

/**
 * The first break in a tenant's events (ordered by seq): an event whose hash is not the hash of
 * its content, whose prevHash is not the previous event's hash, or a seq missing between two.
 * The first event's prevHash is taken as given (earlier events may have expired).
 */
export function firstBreak(events: Iterable<SealedAuditRecord>): ChainBreak | undefined {
  let previous: SealedAuditRecord | undefined;
  for (const e of events) {
    if (previous && e.seq !== previous.seq + 1)
      return { eventId: e.id, seq: e.seq, kind: 'gap', expected: `seq ${previous.seq + 1}`, stored: `seq ${e.seq}` };
    if (previous && e.prevHash !== previous.hash)
      return { eventId: e.id, seq: e.seq, kind: 'link', expected: previous.hash, stored: e.prevHash };
    const expected = chainHash(e.prevHash, e);
    if (expected !== e.hash) return { eventId: e.id, seq: e.seq, kind: 'hash', expected, stored: e.hash };
    previous = e;
  }
  return undefined;
}
