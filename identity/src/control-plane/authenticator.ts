import type { Authenticate, Credential } from '@telemetryflow/otlp';
import { apiKeyPrefix, digestsEqual, hashApiKey } from './api-key-secrets.js';
import type { ApiKeyScope } from './entities.js';

/** A stored key as the authenticator needs it. */
export interface StoredKey {
  id: string;
  tenantId: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  /** The tenant's raw retention per signal, for the collector's age check (cached with the key). */
  rawRetentionDays?: Credential['rawRetentionDays'];
  /** The tenant's ingest quotas, for the collector (cached with the key). */
  ingestQuota?: Credential['ingestQuota'];
}

/** The authenticator's view of the database (a seam for I/O only). */
export interface ApiKeyStore {
  /** Active (not revoked) keys whose prefix is `prefix`. */
  findActiveByPrefix(prefix: string): Promise<StoredKey[]>;
  touch(keyId: string, at: Date): Promise<void>;
}

export interface AuthenticatorOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** last_used_at is written at most this often per key. */
  touchIntervalMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

interface CacheEntry {
  expires: number;
  keyId: string | null;
  credential: Credential | null;
}

/** An authenticated key: its id and what it grants. */
export interface ResolvedKey extends Credential {
  keyId: string;
}

/**
 * Resolves bearer tokens to credentials. Results (also "unknown") are cached for a few
 * seconds, keyed by the token's hash, because the collector asks on every request; a
 * key revoked by another process therefore stops working within `ttlMs`; `invalidate` makes
 * a revocation in this process immediate. last_used_at is updated in the background, at most
 * once per `touchIntervalMs` per key.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastTouch = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  /** Look-ups in progress, so a burst of requests with one cold key costs one query. */
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
  /** Bumped by `invalidate`, so a look-up that started before a revocation is not cached. */
  private epoch = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly touchIntervalMs: number;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(
    private readonly store: ApiKeyStore,
    opts: AuthenticatorOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.touchIntervalMs = opts.touchIntervalMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  readonly authenticate: Authenticate = async (token) => (await this.resolve(token))?.credential ?? null;

  /** The key behind `token` with its id, or null. */
  async resolveKey(token: string): Promise<ResolvedKey | null> {
    const entry = await this.resolve(token);
    return entry?.credential && entry.keyId !== null ? { keyId: entry.keyId, ...entry.credential } : null;
  }

  /** Forgets every cached look-up of `keyId` (called when this process revokes it). */
  invalidate(keyId: string): void {
    this.epoch++;
    for (const [hash, entry] of this.cache) if (entry.keyId === keyId) this.cache.delete(hash);
    this.inflight.clear();
  }

  private async resolve(token: string): Promise<CacheEntry | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    const hash = hashApiKey(token);
    const now = this.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expires <= now) {
      let lookup = this.inflight.get(hash);
      if (!lookup) {
        const epoch = this.epoch;
        lookup = this.lookup(token, hash, now)
          .then((e) => {
            if (epoch === this.epoch) this.remember(hash, e);
            return e;
          })
          .finally(() => {
            if (this.inflight.get(hash) === lookup) this.inflight.delete(hash);
          });
        this.inflight.set(hash, lookup);
      }
      entry = await lookup;
    }
    if (entry.keyId !== null) this.maybeTouch(entry.keyId, now);
    return entry;
  }

  /** Waits for background last_used_at writes. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async lookup(token: string, hash: string, now: number): Promise<CacheEntry> {
    const candidates = await this.store.findActiveByPrefix(apiKeyPrefix(token));
    for (const k of candidates) {
      if (digestsEqual(k.keyHash, hash)) {
        const credential: Credential = { tenantId: k.tenantId, scopes: [...k.scopes] };
        if (k.rawRetentionDays) credential.rawRetentionDays = { ...k.rawRetentionDays };
        if (k.ingestQuota) credential.ingestQuota = k.ingestQuota;
        return { expires: now + this.ttlMs, keyId: k.id, credential };
      }
    }
    return { expires: now + this.ttlMs, keyId: null, credential: null };
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    while (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(hash, entry);
  }

  private maybeTouch(keyId: string, now: number): void {
    const last = this.lastTouch.get(keyId);
    if (last !== undefined && now - last < this.touchIntervalMs) return;
    this.lastTouch.set(keyId, now);
    if (this.lastTouch.size > this.maxEntries) {
      const oldest = this.lastTouch.keys().next();
      if (!oldest.done) this.lastTouch.delete(oldest.value);
    }
    const p = this.store
      .touch(keyId, new Date(now))
      .catch((err: unknown) => this.log(`api key last_used_at update failed: ${String(err)}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
