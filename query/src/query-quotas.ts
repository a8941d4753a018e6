// A tenant's query quotas, enforced where every read query passes (the ClickHouse reader):
// the longest time range one query may span, read from the query's bound time parameters
// (fromNs/toNs, startMs/endMs), and the queries it may run at once on this process.
import type { TenantQuotas } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';

export type TenantQuotaLookup = (tenantId: string) => Promise<TenantQuotas>;

/** The span of a query's time range in milliseconds, from its bound parameters; null when it binds none. */
export function boundRangeMs(params: Record<string, unknown>): number | null {
  const from = asBigInt(params.fromNs);
  const to = asBigInt(params.toNs);
  if (from !== null && to !== null) return Number((to - from) / 1_000_000n);
  const start = asBigInt(params.startMs);
  const end = asBigInt(params.endMs);
  if (start !== null && end !== null) return Number(end - start);
  return null;
}

function asBigInt(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return null;
}

export class QueryQuotaGuard {
  private readonly running = new Map<string, number>();

  constructor(private readonly lookup: TenantQuotaLookup) {}

  /** Checks the quotas and takes a slot of the tenant's concurrency; call the function returned when done. */
  async enter(tenantId: string, params: Record<string, unknown>): Promise<() => void> {
    const quotas = await this.lookup(tenantId);
    const maxRange = quotas.maxQueryRangeSeconds;
    if (maxRange !== undefined) {
      const rangeMs = boundRangeMs(params);
      if (rangeMs !== null && rangeMs > maxRange * 1000) {
        throw new ApiError(
          422,
          'query_range_quota_exceeded',
          `the query spans ${Math.ceil(rangeMs / 1000)} s; this tenant's queries may span at most ${maxRange} s (quota): narrow from/to`,
          { limit: 'maxQueryRangeSeconds', value: maxRange, narrow: ['from', 'to'] },
        );
      }
    }
    const maxConcurrent = quotas.maxConcurrentQueries;
    const now = this.running.get(tenantId) ?? 0;
    if (maxConcurrent !== undefined && now >= maxConcurrent) {
      throw new ApiError(
        429,
        'concurrent_query_quota_exceeded',
        `this tenant may run ${maxConcurrent} queries at once (quota) and is at that limit; retry when one finished`,
        { limit: 'maxConcurrentQueries', value: maxConcurrent },
      );
    }
    this.running.set(tenantId, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(tenantId) ?? 1) - 1;
      if (left > 0) this.running.set(tenantId, left);
      else this.running.delete(tenantId);
    };
  }
}
