import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { chainHash, GENESIS_HASH, type SealedAuditRecord } from './audit-chain.js';
import type { OutboxEvent } from './audit-outbox.js';

export interface AuditRelayOptions {
  /** Pause between passes when the outbox was empty (default 1 s). */
  intervalMs: number;
  /**
   * Longest pause while events keep coming (default 5 s): after each pass that moved events
   * the pause doubles up to this, so a steady stream costs one seal and one ClickHouse insert
   * every few seconds; an empty outbox resets it.
   */
  maxIntervalMs?: number;
  /** Events sealed and moved per pass (default 500). */
  batchSize: number;
}

export const DEFAULT_AUDIT_RELAY: AuditRelayOptions = { intervalMs: 1000, maxIntervalMs: 5000, batchSize: 500 };

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

/** The `audit_events` row of a sealed outbox row (JSONEachRow). */
function clickhouseRowOf(r: OutboxRow): Record<string, unknown> {
  const rec = recordOf(r, Number(r.seq));
  return {
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
  /** The oldest waiting event at this relay's last pass that did not seal. */
  private seenOldest: string | undefined;
  /** The timer's pause now: `intervalMs` after an empty outbox, longer while events keep coming. */
  private pauseMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clickhouse: ClickHouseClient,
    private readonly options: AuditRelayOptions = DEFAULT_AUDIT_RELAY,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.pauseMs = options.intervalMs;
  }

  start(): void {
    const loop = async (): Promise<void> => {
      if (this.stopped) return;
      let moved = 0;
      try {
        moved = await this.pass({ waitForAge: true });
        if (this.failing) this.log('audit relay: moving events again');
        this.failing = false;
      } catch (err) {
        // Once per outage, not once per pass: events wait in the outbox meanwhile.
        if (!this.failing) this.log(`audit relay: ${(err as Error).message}; retrying every pass`);
        this.failing = true;
      }
      // At once again only after a full batch (a backlog); otherwise the events of the next
      // pause go together: one seal and one ClickHouse insert per pause, not one per event.
      if (moved > 0)
        this.pauseMs = Math.min(this.pauseMs * 2, Math.max(this.options.intervalMs, this.options.maxIntervalMs ?? 0));
      if (!this.stopped) this.timer = setTimeout(() => void loop(), moved >= this.options.batchSize ? 0 : this.pauseMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass; returns the number of events moved. Passes of this process never overlap.
   * `waitForAge` (the timer's passes): seal only once the oldest waiting event is ¾ of the
   * pause old, or was already waiting at this relay's previous pass (whatever the clocks),
   * so several relays on one outbox (replicas; `bench:query`'s two API servers in one process)
   * make about one pass a pause between them, not one each: a pass costs a transaction
   * and a ClickHouse insert whatever its size (ADR 0022, Measured).
   */
  pass(opts: { waitForAge?: boolean } = {}): Promise<number> {
    const run = (this.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.sealAndMove(opts.waitForAge === true));
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

  private async sealAndMove(waitForAge: boolean): Promise<number> {
    // One statement when there is nothing to do (most passes): no transaction, no lock held.
    const [pending]: { oldest: string | null; oldest_ms: number | null; sealed: boolean }[] =
      await this.dataSource.query(
        `SELECT o.id::text AS oldest, (extract(epoch FROM o.occurred_at) * 1000)::float8 AS oldest_ms,
                EXISTS (SELECT 1 FROM audit_outbox WHERE seq IS NOT NULL) AS sealed
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (SELECT id, occurred_at FROM audit_outbox WHERE seq IS NULL
                               ORDER BY occurred_at, id LIMIT 1) AS o ON true`,
      );
    const oldest = pending?.oldest ?? undefined;
    const seal =
      oldest !== undefined &&
      (!waitForAge || oldest === this.seenOldest || Number(pending!.oldest_ms) <= Date.now() - (this.pauseMs * 3) / 4);
    this.seenOldest = seal ? undefined : oldest;
    if (oldest === undefined && !pending?.sealed) this.pauseMs = this.options.intervalMs;
    if (!seal && !pending?.sealed) return 0;
    // Sealed rows left by a pass that failed or stopped after sealing go first, oldest links first.
    const rows: OutboxRow[] = pending?.sealed
      ? await this.dataSource.query(`${SELECT_ROWS} WHERE seq IS NOT NULL ORDER BY tenant_id, seq LIMIT $1`, [
          this.options.batchSize,
        ])
      : [];
    // The rows this pass seals are moved as sealed, without reading them again.
    if (seal && rows.length < this.options.batchSize)
      rows.push(...(await this.dataSource.transaction((em) => this.seal(em, this.options.batchSize - rows.length))));
    if (rows.length === 0) return 0;
    const body = rows.map((r) => JSON.stringify(clickhouseRowOf(r))).join('\n') + '\n';
    await this.clickhouse.exec({
      query: `INSERT INTO audit_events (TenantId, Seq, Id, Time, ActorType, ActorId, ActorLabel, ClientAddress, UserAgent, Action, ResourceType, ResourceId, ResourceName, Outcome, Status, RequestId, Before, After, PrevHash, Hash) SETTINGS async_insert = 0 FORMAT JSONEachRow`,
      values: Readable.from([body]),
    });
    await this.dataSource.query(`DELETE FROM audit_outbox WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
    return rows.length;
  }

  /** Seals up to `limit` waiting rows and returns them sealed. */
  private async seal(em: EntityManager, limit: number): Promise<OutboxRow[]> {
    await em.query(`SELECT pg_advisory_xact_lock($1)`, [SEAL_LOCK_KEY.toString()]);
    const rows: OutboxRow[] = await em.query(
      `${SELECT_ROWS} WHERE seq IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE`,
      [limit],
    );
    if (rows.length === 0) return [];
    // The heads of every tenant in the batch, locked, in one statement.
    const found: { tenant_id: string; seq: string; hash: string }[] = await em.query(
      `SELECT tenant_id, seq::text, hash FROM audit_chain_heads WHERE tenant_id = ANY($1::text[])
        ORDER BY tenant_id FOR UPDATE`,
      [[...new Set(rows.map((r) => r.tenant_id))]],
    );
    const stored = new Map(found.map((h) => [h.tenant_id, { seq: Number(h.seq), hash: h.hash }]));
    const heads = new Map<string, { seq: number; hash: string }>();
    const out: OutboxRow[] = [];
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
      out.push({ ...row, seq: String(seq), prev_hash: head.hash, hash });
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
    return out;
  }
}
