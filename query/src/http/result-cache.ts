import { LRUCache } from 'lru-cache';

export interface ResultCacheOptions {
  /** How long a result is served from memory; 0 turns the cache off. */
  ttlMs: number;
  /** Memory bound: results are weighed by their JSON size; a result above a tenth of this is never kept. */
  maxBytes: number;
  /** The clock the TTL is measured on, in milliseconds; tests pass a fake one. Defaults to `performance.now()`. */
  now?: () => number;
}

export const DEFAULT_RESULT_CACHE: ResultCacheOptions = { ttlMs: 10_000, maxBytes: 64 * 1024 * 1024 };

export type CacheOutcome = 'hit' | 'miss' | 'coalesced';

/**
 * Short-lived results of read queries, keyed by tenant + query. Concurrent identical
 * queries share one execution (a dashboard opened by ten people costs one query).
 * Failures are never kept.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, { value: unknown }> | undefined;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly maxEntryBytes: number;

  constructor(readonly options: ResultCacheOptions) {
    this.maxEntryBytes = Math.floor(options.maxBytes / 10);
    // A given clock is read on every access (ttlResolution 0): lru-cache otherwise reuses a reading for 1 ms of real time.
    const clock = options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {};
    this.lru =
      options.ttlMs > 0
        ? new LRUCache({ ttl: options.ttlMs, maxSize: options.maxBytes, ttlAutopurge: false, ...clock })
        : undefined;
  }

  async get(key: string, compute: () => Promise<unknown>): Promise<{ value: unknown; outcome: CacheOutcome }> {
    if (!this.lru) return { value: await compute(), outcome: 'miss' };
    const kept = this.lru.get(key);
    if (kept) return { value: kept.value, outcome: 'hit' };
    const running = this.inflight.get(key);
    if (running) return { value: await running, outcome: 'coalesced' };
    const lru = this.lru;
    const p = compute()
      .then((value) => {
        const size = Buffer.byteLength(JSON.stringify(value) ?? '');
        if (size <= this.maxEntryBytes) lru.set(key, { value }, { size: Math.max(1, size) });
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return { value: await p, outcome: 'miss' };
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}

/** The cache key of a request: tenant, method, path with sorted query parameters, body. */
export function resultCacheKey(tenantId: string, method: string, url: string, body: unknown): string {
  const parsed = new URL(url, 'http://localhost');
  const params = [...parsed.searchParams.entries()].sort(([a, av], [b, bv]) =>
    a === b ? av.localeCompare(bv) : a.localeCompare(b),
  );
  return JSON.stringify([tenantId, method, parsed.pathname, params, body ?? null]);
}
