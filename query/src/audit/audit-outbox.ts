import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditEventInput, AuditSink } from '@telemetryflow/http-kit';

/** The outbox row's `event` column: what the relay turns into an `AuditRecord`. */
export interface OutboxEvent {
  actorType: string;
  actorId: string;
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
  before: string;
  after: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrEmpty = (id: string) => (UUID.test(id) ? id : '');

/** Longest before/after JSON kept per event; a larger document is cut and marked. */
const MAX_STATE_CHARS = 64 * 1024;

function stateJson(value: unknown): string {
  if (value === null || value === undefined) return '';
  const json = JSON.stringify(value);
  return json.length <= MAX_STATE_CHARS
    ? json
    : JSON.stringify({ truncated: true, prefix: json.slice(0, MAX_STATE_CHARS) });
}

/**
 * Writes audit events to the control plane's `audit_outbox` (awaited in the request's path, so
 * a 2xx answer means the event is durable). The actor's e-mail or key prefix comes with the
 * caller's credential; when it does not, it is looked up in the same statement. An event without a tenant (a sign-in names only an e-mail address) goes
 * to each tenant the user belongs to, else to the instance's log (tenant '').
 */
export class PostgresAuditSink implements AuditSink {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number = Date.now,
  ) {}

  private readonly inFlight = new Set<Promise<void>>();

  record(e: AuditEventInput): Promise<void> {
    const write = this.write(e);
    this.inFlight.add(write);
    void write.then(
      () => this.inFlight.delete(write),
      () => this.inFlight.delete(write),
    );
    return write;
  }

  /** Resolves once every event handed over so far is written (or failed): refusals are not awaited by their requests. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async write(e: AuditEventInput): Promise<void> {
    const event: OutboxEvent = {
      actorType: e.actor.type,
      actorId: e.actor.id,
      actorLabel: e.actor.label ?? e.actor.email ?? '',
      clientAddress: e.clientAddress,
      userAgent: e.userAgent,
      action: e.action,
      resourceType: e.resource.type,
      resourceId: e.resource.id,
      resourceName: e.resource.name,
      outcome: e.outcome,
      status: e.status,
      requestId: e.requestId,
      before: stateJson(e.before),
      after: stateJson(e.after),
    };
    const id = e.actor.type === 'apiKey' ? e.actor.id : '';
    const userId = e.actor.type === 'user' ? e.actor.id : '';
    const email = (e.actor.email ?? '').toLowerCase();
    if (e.tenantId !== '' && e.actor.label !== undefined) {
      // A call whose credential named its caller (every API call but sign-ins): one plain row,
      // no look-up — a third of the statement below on the embedded Postgres (ADR 0022, Measured).
      await this.dataSource.query(
        `INSERT INTO audit_outbox (id, tenant_id, occurred_at, event)
         VALUES ($1::uuid, $2, to_timestamp($3::double precision / 1000), $4::jsonb)`,
        [randomUUID(), e.tenantId, this.now(), JSON.stringify(event)],
      );
      return;
    }
    if (e.tenantId !== '' && email === '' && e.actor.challengeTokenHash === undefined) {
      // A call with a credential that did not name its caller: one row, its actor found by
      // primary key. A fifth of the cost of the statement below on the embedded Postgres (ADR 0022).
      await this.dataSource.query(
        `INSERT INTO audit_outbox (id, tenant_id, occurred_at, event)
         VALUES ($1::uuid, $2, to_timestamp($3::double precision / 1000),
                 $4::jsonb || jsonb_build_object('actorLabel', COALESCE(
                   (SELECT email FROM users WHERE id = NULLIF($5, '')::uuid),
                   (SELECT prefix FROM api_keys WHERE id = NULLIF($6, '')::uuid),
                   $4::jsonb->>'actorLabel')))`,
        [randomUUID(), e.tenantId, this.now(), JSON.stringify(event), uuidOrEmpty(userId), uuidOrEmpty(id)],
      );
      return;
    }
    // One row per tenant: the caller's, else the named user's memberships, else ''.
    await this.dataSource.query(
      `WITH actor AS (
         SELECT u.id::text AS user_id, u.email FROM users u
          WHERE ($2 <> '' AND u.id::text = $2) OR ($3 <> '' AND u.email = $3)
             OR ($8 <> '' AND u.id = (SELECT user_id FROM login_challenges WHERE token_hash = $8))
          LIMIT 1
       ), key AS (
         SELECT prefix FROM api_keys WHERE $4 <> '' AND id::text = $4
       ), tenants AS (
         SELECT $5::text AS tenant_id WHERE $5 <> ''
         UNION ALL
         SELECT m.tenant_id FROM memberships m JOIN actor a ON m.user_id::text = a.user_id WHERE $5 = ''
       ), targets AS (
         SELECT tenant_id FROM tenants
         UNION ALL
         SELECT '' WHERE NOT EXISTS (SELECT 1 FROM tenants)
       )
       INSERT INTO audit_outbox (id, tenant_id, occurred_at, event)
       SELECT CASE WHEN row_number() OVER () = 1 THEN $1::uuid ELSE gen_random_uuid() END,
              t.tenant_id, to_timestamp($6::double precision / 1000),
              $7::jsonb || jsonb_build_object(
                'actorId', COALESCE((SELECT user_id FROM actor), $7::jsonb->>'actorId'),
                'actorLabel', COALESCE((SELECT email FROM actor), (SELECT prefix FROM key), $7::jsonb->>'actorLabel'))
         FROM targets t`,
      [
        randomUUID(),
        userId,
        email,
        id,
        e.tenantId,
        this.now(),
        JSON.stringify(event),
        e.actor.challengeTokenHash ?? '',
      ],
    );
  }
}
