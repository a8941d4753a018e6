import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * What a revocation ends: a sign-in session (its access tokens) or an API key; or, as a signal
 * only, a user's membership of a tenant (`membership`, subject the user): requests check
 * memberships anyway, connections that outlive a request (the live tail) check again at once.
 */
export type RevocationKind = 'session' | 'api_key' | 'membership';

export interface Revocation {
  kind: RevocationKind;
  id: string;
  /** After this, whatever the revocation refuses has expired anyway, and the entry is dropped. */
  expiresAtMs: number;
}

/** The Postgres channel revocations are announced on (server Postgres only). */
export const REVOCATION_CHANNEL = 'tf_revocations';
/** How often every replica re-reads the list, whatever notifications it got. */
export const DEFAULT_REVOCATION_POLL_MS = 2_000;
/** The promise: a revocation holds on every replica within 5 s, so the re-read is never rarer. */
export const MAX_REVOCATION_POLL_MS = 5_000;
/** NOTIFY payloads must stay under 8,000 bytes: this many entries per notification. */
const ENTRIES_PER_NOTIFICATION = 40;
/** Rows of the table are deleted this long after they expired (by whichever replica gets there). */
const DELETE_AFTER_MS = 3_600_000;
const LISTEN_RETRY_MS = 1_000;

export interface RevocationListOptions {
  /** Re-read interval, 100 ms to 5 s (default 2 s). */
  pollMs?: number;
  /**
   * A server Postgres (DATABASE_URL): the list listens for revocations of other replicas on a
   * connection of its own. Unset for the embedded database, whose one process records every
   * revocation itself (PGlite cannot LISTEN across its socket).
   */
  listenUrl?: string;
  /** Called once for each API key that becomes revoked (the key cache forgets it). */
  onKeyRevoked?: (keyId: string) => void;
  log?: (msg: string) => void;
  now?: () => number;
}

type Db = DataSource | EntityManager;

/**
 * Sessions and API keys ended recently, in memory on every replica, so checking a credential
 * costs one map look-up and no query. Revocations are rows of `revocations`, written in the
 * transaction that ends the session or key; the writing process applies them at once after
 * the commit, other replicas learn of them by `LISTEN/NOTIFY` (server Postgres) and, whatever
 * happens to notifications, by re-reading the table every `pollMs` (≤ 5 s).
 */
export class RevocationList {
  private readonly entries = new Map<string, number>();
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private lastDelete = 0;
  private closed = false;
  private readonly listeners = new Set<(r: Revocation) => void>();

  constructor(
    private readonly ds: DataSource,
    private readonly opts: RevocationListOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? DEFAULT_REVOCATION_POLL_MS;
    if (!Number.isInteger(this.pollMs) || this.pollMs < 100 || this.pollMs > MAX_REVOCATION_POLL_MS)
      throw new Error(`revocation poll interval must be 100..${MAX_REVOCATION_POLL_MS} ms, got ${this.pollMs}`);
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  /** Reads the list once (start-up fails if it cannot), then keeps it current. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.log(`revocation list: re-read failed: ${String(err)}`));
    }, this.pollMs);
    this.timer.unref();
    if (this.opts.listenUrl !== undefined) await this.listen(this.opts.listenUrl);
  }

  isSessionRevoked(sessionId: string): boolean {
    return this.entries.has(`session:${sessionId}`);
  }

  isKeyRevoked(keyId: string): boolean {
    return this.entries.has(`api_key:${keyId}`);
  }

  /**
   * Stores revocations in `db`'s transaction; on a server Postgres every listening replica is
   * notified when it commits. Hand the result to `apply` after the commit.
   */
  async record(db: Db, kind: RevocationKind, ids: readonly string[], ttlMs: number): Promise<Revocation[]> {
    if (ids.length === 0) return [];
    const rows = (await db.query(
      `INSERT INTO revocations (kind, subject_id, expires_at)
         SELECT $1::text, id, now() + make_interval(secs => $3::double precision / 1000) FROM unnest($2::uuid[]) AS id
       RETURNING subject_id, expires_at`,
      [kind, ids, ttlMs],
    )) as { subject_id: string; expires_at: Date }[];
    const recorded = rows.map((r) => ({ kind, id: r.subject_id, expiresAtMs: r.expires_at.getTime() }));
    if (this.opts.listenUrl !== undefined) {
      for (let i = 0; i < recorded.length; i += ENTRIES_PER_NOTIFICATION) {
        const payload = JSON.stringify(
          recorded.slice(i, i + ENTRIES_PER_NOTIFICATION).map((r) => [r.kind, r.id, r.expiresAtMs]),
        );
        await db.query('SELECT pg_notify($1, $2)', [REVOCATION_CHANNEL, payload]);
      }
    }
    return recorded;
  }

  /** Makes committed revocations effective in this process. */
  apply(revocations: readonly Revocation[]): void {
    for (const r of revocations) {
      const key = `${r.kind}:${r.id}`;
      const known = this.entries.get(key);
      this.entries.set(key, Math.max(known ?? 0, r.expiresAtMs));
      if (known !== undefined) continue;
      if (r.kind === 'api_key') this.opts.onKeyRevoked?.(r.id);
      for (const listener of this.listeners) {
        try {
          listener(r);
        } catch (err) {
          this.log(`revocation list: a listener failed: ${String(err)}`);
        }
      }
    }
  }

  /**
   * Calls `listener` once for each session or key revoked from now on, here or on another
   * replica (as soon as this process learns of it); the function returned unsubscribes.
   */
  subscribe(listener: (r: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads every unexpired revocation (concurrent callers share one read). */
  reload(): Promise<void> {
    this.reloading ??= this.read().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.reloading?.catch(() => undefined);
  }

  private async read(): Promise<void> {
    const rows = (await this.ds.query(
      `SELECT kind, subject_id, expires_at FROM revocations WHERE expires_at > now()`,
    )) as { kind: RevocationKind; subject_id: string; expires_at: Date }[];
    this.apply(rows.map((r) => ({ kind: r.kind, id: r.subject_id, expiresAtMs: r.expires_at.getTime() })));
    const now = this.now();
    for (const [key, expires] of this.entries) if (expires < now - 60_000) this.entries.delete(key);
    if (now - this.lastDelete > DELETE_AFTER_MS / 4) {
      this.lastDelete = now;
      await this.ds.query(`DELETE FROM revocations WHERE expires_at < now() - make_interval(secs => $1)`, [
        DELETE_AFTER_MS / 1000,
      ]);
    }
  }

  /** A connection of its own that LISTENs; lost, it reconnects (and re-reads, for what it missed). */
  private async listen(url: string): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: url });
    const reconnect = (err: unknown) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.log(`revocation list: the LISTEN connection failed (${String(err)}); reconnecting, re-reading meanwhile`);
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => {
        this.listen(url).catch(() => undefined);
      }, LISTEN_RETRY_MS);
      this.retry.unref();
    };
    this.listener = client;
    client.on('error', reconnect);
    client.on('end', () => reconnect(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel !== REVOCATION_CHANNEL || n.payload === undefined) return;
      try {
        const entries = JSON.parse(n.payload) as [RevocationKind, string, number][];
        this.apply(entries.map(([kind, id, expiresAtMs]) => ({ kind, id, expiresAtMs })));
      } catch (err) {
        this.log(`revocation list: unreadable notification ignored: ${String(err)}`);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      await this.reload();
    } catch (err) {
      reconnect(err);
    }
  }
}
