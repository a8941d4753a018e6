import type { Authenticate, Credential } from '@telemetryflow/schemas';
import { apiKeyPrefix, digestsEqual, hashApiKey } from './api-key-secrets.js';
import type { ApiKeyScope } from './entities.js';

/** A stored key as the authenticator needs it. */
export interface StoredKey {
  id: string;
  tenantId: string;
  keyHash: string;
  scopes: ApiKeyScope[];
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

/**
 * Resolves bearer tokens to credentials. Results (also "unknown") are cached for a few
 * seconds, keyed by the token's hash, because the collector asks on every request; a
 * revoked key therefore stops working within `ttlMs`. last_used_at is updated in the
 * background, at most once per `touchIntervalMs` per key.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastTouch = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  /** Look-ups in progress, so a burst of requests with one cold key costs one query. */
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
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

  readonly authenticate: Authenticate = async (token) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    const hash = hashApiKey(token);
    const now = this.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expires <= now) {
      let lookup = this.inflight.get(hash);
      if (!lookup) {
        lookup = this.lookup(token, hash, now)
          .then((e) => {
            this.remember(hash, e);
            return e;
          })
          .finally(() => this.inflight.delete(hash));
        this.inflight.set(hash, lookup);
      }
      entry = await lookup;
    }
    if (entry.keyId !== null) this.maybeTouch(entry.keyId, now);
    return entry.credential;
  };

  /** Waits for background last_used_at writes. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async lookup(token: string, hash: string, now: number): Promise<CacheEntry> {
    const candidates = await this.store.findActiveByPrefix(apiKeyPrefix(token));
    for (const k of candidates) {
      if (digestsEqual(k.keyHash, hash)) {
        return { expires: now + this.ttlMs, keyId: k.id, credential: { tenantId: k.tenantId, scopes: [...k.scopes] } };
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
