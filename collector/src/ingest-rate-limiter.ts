// The ingest rate quota (items per second per tenant and signal), as a token bucket per
// collector process. A request's item count is known only after it was decoded and stored,
// so the bucket is checked before a request is read (refused while it is in debt) and
// charged with the items accepted afterwards: one request may take the bucket below zero,
// and the tenant is refused until the debt is paid back at the quota's rate. Across
// replicas the rate is shared approximately: each process refills at rate / replicas.
import type { Signal } from '@telemetryflow/otlp';
import { ExportError } from './errors.js';

export interface IngestRateLimiterOptions {
  /** Live collector processes sharing each tenant's rate (each gets rate / replicas). Default 1. */
  replicas?: () => number;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  /** Buckets kept at most (least recently used dropped first: a dropped bucket starts full). */
  maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
}

export class IngestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly replicas: () => number;
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(opts: IngestRateLimiterOptions = {}) {
    this.replicas = opts.replicas ?? (() => 1);
    this.now = opts.now ?? Date.now;
    this.maxBuckets = opts.maxBuckets ?? 100_000;
  }

  /** Throws an over-quota ExportError when the tenant's bucket for `signal` is in debt. */
  check(tenantId: string, signal: Signal, itemsPerSecond: number | undefined): void {
    if (!isRate(itemsPerSecond)) return;
    const bucket = this.refill(tenantId, signal, itemsPerSecond);
    if (bucket.tokens >= 0) return;
    const seconds = Math.max(1, Math.ceil(-bucket.tokens / bucket.rate));
    throw new ExportError(
      'over-quota',
      `this tenant's ${signal} ingest rate quota (${itemsPerSecond} items/s) is exhausted; retry in ${seconds} s`,
      seconds,
    );
  }

  /** Takes `items` from the bucket (it may go below zero). */
  charge(tenantId: string, signal: Signal, itemsPerSecond: number | undefined, items: number): void {
    if (!isRate(itemsPerSecond) || items <= 0) return;
    this.refill(tenantId, signal, itemsPerSecond).tokens -= items;
  }

  private refill(tenantId: string, signal: Signal, itemsPerSecond: number): Bucket {
    const key = `${tenantId}\u0000${signal}`;
    const now = this.now();
    // The process's share; the burst a full bucket allows is one second of it.
    const rate = itemsPerSecond / Math.max(1, this.replicas());
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      bucket.rate = rate;
    } else {
      bucket = { tokens: rate, at: now, rate };
      while (this.buckets.size >= this.maxBuckets) {
        const oldest = this.buckets.keys().next();
        if (oldest.done) break;
        this.buckets.delete(oldest.value);
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}

function isRate(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
