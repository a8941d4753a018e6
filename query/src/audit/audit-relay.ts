import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { chainHash, GENESIS_HASH, type SealedAuditRecord } from './audit-chain.js';
import type { OutboxEvent } from './audit-outbox.js';

export interface AuditRelayOptions {
  /** Pause between passes when the outbox was empty (default 1 s). */
  intervalMs: number;
  /** Events sealed and moved per pass (default 500). */
  batchSize: number;
}

export const DEFAULT_AUDIT_RELAY: AuditRelayOptions = { intervalMs: 1000, batchSize: 500 };

/** Serializes sealing across replicas ("tf_audit" in ASCII): one chain per tenant, never a fork. */
const SEAL_LOCK_KEY = 0x74665f6175646974n;

interface OutboxRow {
  id: string;
  tenant_id: string;
  occurred_ms: string;
  event: OutboxEvent;
  seq: string | null;
  prev_hash: string | null;
  hash: string | null;
}

function recordOf(row: OutboxRow, seq: number): Omit<SealedAuditRecord, 'prevHash' | 'hash'> {
  const e = row.event;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    seq,
    timeMs: Number(row.occurred_ms),
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    clientAddress: e.clientAddress,
    userAgent: e.userAgent,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    resourceName: e.resourceName,
    outcome: e.outcome,
    status: e.status,
    requestId: e.requestId,
    before: e.before,
    after: e.after,
  };
}

const SELECT_ROWS = `SELECT id::text, tenant_id, (extract(epoch FROM occurred_at) * 1000)::bigint::text AS occurred_ms,
                            event, seq::text, prev_hash, hash FROM audit_outbox`;

/**
 * Moves audit events from the Postgres outbox to ClickHouse. A pass (1) seals unsealed rows in
 * occurred order: under a transaction-scoped advisory lock and the tenant's chain-head row, each
 * gets the next seq of its tenant, the head's hash as prevHash, and its own hash; (2) inserts
 * sealed rows into `audit_events` (a repeat after a crash collapses on (TenantId, Seq));
 * (3) deletes what was inserted. Every replica may run one: the lock orders sealing.
 */
export class AuditRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clickhouse: ClickHouseClient,
    private readonly options: AuditRelayOptions = DEFAULT_AUDIT_RELAY,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  start(): void {
    const loop = async (): Promise<void> => {
      if (this.stopped) return;
      let moved = 0;
      try {
        moved = await this.pass();
        if (this.failing) this.log('audit relay: moving events again');
        this.failing = false;
      } catch (err) {
        // Once per outage, not once per pass: events wait in the outbox meanwhile.
        if (!this.failing) this.log(`audit relay: ${(err as Error).message}; retrying every pass`);
        this.failing = true;
      }
      // At once again only after a full batch (a backlog); otherwise the events of the next
      // interval go together: one seal and one ClickHouse insert a second, not one per event.
      if (!this.stopped)
        this.timer = setTimeout(() => void loop(), moved >= this.options.batchSize ? 0 : this.options.intervalMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns the number of events moved. Passes of this process never overlap. */
  pass(): Promise<number> {
    const run = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.sealAndMove());
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Moves everything in the outbox now (tests, shutdown). */
  async drain(): Promise<void> {
    while ((await this.pass()) > 0);
  }

  private async sealAndMove(): Promise<number> {
    // One statement when there is nothing to do (most passes): no transaction, no lock held.
    const [pending]: { unsealed: boolean; sealed: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM audit_outbox WHERE seq IS NULL) AS unsealed,
              EXISTS (SELECT 1 FROM audit_outbox WHERE seq IS NOT NULL) AS sealed`,
    );
    if (!pending?.unsealed && !pending?.sealed) return 0;
    if (pending.unsealed) await this.dataSource.transaction((em) => this.seal(em));
    const rows: OutboxRow[] = await this.dataSource.query(
      `${SELECT_ROWS} WHERE seq IS NOT NULL ORDER BY tenant_id, seq LIMIT $1`,
      [this.options.batchSize],
    );
    if (rows.length === 0) return 0;
    const body =
      rows
        .map((r) => {
          const rec = recordOf(r, Number(r.seq));
          return JSON.stringify({
            TenantId: rec.tenantId,
            Seq: rec.seq,
            Id: rec.id,
            Time: new Date(rec.timeMs).toISOString().replace('T', ' ').replace('Z', ''),
            ActorType: rec.actorType,
            ActorId: rec.actorId,
            ActorLabel: rec.actorLabel,
            ClientAddress: rec.clientAddress,
            UserAgent: rec.userAgent,
            Action: rec.action,
            ResourceType: rec.resourceType,
            ResourceId: rec.resourceId,
            ResourceName: rec.resourceName,
            Outcome: rec.outcome,
            Status: rec.status,
            RequestId: rec.requestId,
            Before: rec.before,
            After: rec.after,
            PrevHash: r.prev_hash,
            Hash: r.hash,
          });
        })
        .join('\n') + '\n';
    await this.clickhouse.exec({
      query: `INSERT INTO audit_events (TenantId, Seq, Id, Time, ActorType, ActorId, ActorLabel, ClientAddress, UserAgent, Action, ResourceType, ResourceId, ResourceName, Outcome, Status, RequestId, Before, After, PrevHash, Hash) SETTINGS async_insert = 0 FORMAT JSONEachRow`,
      values: Readable.from([body]),
    });
    await this.dataSource.query(`DELETE FROM audit_outbox WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
    return rows.length;
  }

  private async seal(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock($1)`, [SEAL_LOCK_KEY.toString()]);
    const rows: OutboxRow[] = await em.query(
      `${SELECT_ROWS} WHERE seq IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE`,
      [this.options.batchSize],
    );
    if (rows.length === 0) return;
    // The heads of every tenant in the batch, locked, in one statement.
    const found: { tenant_id: string; seq: string; hash: string }[] = await em.query(
      `SELECT tenant_id, seq::text, hash FROM audit_chain_heads WHERE tenant_id = ANY($1::text[])
        ORDER BY tenant_id FOR UPDATE`,
      [[...new Set(rows.map((r) => r.tenant_id))]],
    );
    const stored = new Map(found.map((h) => [h.tenant_id, { seq: Number(h.seq), hash: h.hash }]));
    const heads = new Map<string, { seq: number; hash: string }>();
    const sealed: { id: string[]; seq: number[]; prev: string[]; hash: string[] } = {
      id: [],
      seq: [],
      prev: [],
      hash: [],
    };
    for (const row of rows) {
      const head = heads.get(row.tenant_id) ?? stored.get(row.tenant_id) ?? { seq: 0, hash: GENESIS_HASH };
      const seq = head.seq + 1;
      const hash = chainHash(head.hash, recordOf(row, seq));
      sealed.id.push(row.id);
      sealed.seq.push(seq);
      sealed.prev.push(head.hash);
      sealed.hash.push(hash);
      heads.set(row.tenant_id, { seq, hash });
    }
    // One statement each for the whole batch: the seal holds the lock (and, embedded, the only
    // connection) for a fixed number of round trips, whatever the batch and its tenants.
    await em.query(
      `UPDATE audit_outbox o SET seq = v.seq, prev_hash = v.prev, hash = v.hash
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev, hash)
        WHERE o.id = v.id`,
      [sealed.id, sealed.seq, sealed.prev, sealed.hash],
    );
    const tenants = [...heads.keys()];
    await em.query(
      `INSERT INTO audit_chain_heads (tenant_id, seq, hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
       ON CONFLICT (tenant_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
      [tenants, tenants.map((t) => heads.get(t)!.seq), tenants.map((t) => heads.get(t)!.hash)],
    );
  }
}
