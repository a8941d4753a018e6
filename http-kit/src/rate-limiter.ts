/** A budget of `requests` per `perSeconds`, refilled continuously; a burst may use all of it at once. */
export interface RateLimitRule {
  requests: number;
  perSeconds: number;
}

/**
 * Token buckets by key, in memory. The number of keys is bounded: the least recently used
 * bucket is dropped first (a dropped bucket starts full again, which only ever lets through
 * more, never less).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rule: RateLimitRule,
    private readonly maxKeys = 100_000,
  ) {
    if (!(rule.requests >= 1 && rule.perSeconds > 0)) throw new Error(`invalid rate limit ${JSON.stringify(rule)}`);
  }

  /** Takes one request from `key`'s budget: 0 when allowed, else the whole seconds to wait. */
  take(key: string, nowMs: number): number {
    const ratePerMs = this.rule.requests / (this.rule.perSeconds * 1000);
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.rule.requests, bucket.tokens + (nowMs - bucket.at) * ratePerMs)
      : this.rule.requests;
    this.buckets.delete(key);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: nowMs });
      return Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000));
    }
    this.buckets.set(key, { tokens: tokens - 1, at: nowMs });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    return 0;
  }
}
