import type { TenantQuotas } from '@telemetryflow/contract';

export const QUOTA_SIGNALS = ['traces', 'metrics', 'logs'] as const;
type QuotaSignal = (typeof QUOTA_SIGNALS)[number];

/** The form's fields: every quota as a number or null (unlimited). */
export interface QuotaDraft {
  ingestItemsPerSecond: Record<QuotaSignal, number | null>;
  dailyItems: Record<QuotaSignal, number | null>;
  maxQueryRangeSeconds: number | null;
  maxConcurrentQueries: number | null;
  maxActiveSeries: number | null;
}

export function draftOf(quotas: TenantQuotas): QuotaDraft {
  const perSignal = (v: Partial<Record<QuotaSignal, number>> | undefined) =>
    Object.fromEntries(QUOTA_SIGNALS.map((s) => [s, v?.[s] ?? null])) as Record<QuotaSignal, number | null>;
  return {
    ingestItemsPerSecond: perSignal(quotas.ingestItemsPerSecond),
    dailyItems: perSignal(quotas.dailyItems),
    maxQueryRangeSeconds: quotas.maxQueryRangeSeconds ?? null,
    maxConcurrentQueries: quotas.maxConcurrentQueries ?? null,
    maxActiveSeries: quotas.maxActiveSeries ?? null,
  };
}

/** The quotas to PUT: empty fields left out (unlimited). */
export function quotasOf(draft: QuotaDraft): TenantQuotas {
  const perSignal = (v: Record<QuotaSignal, number | null>) => {
    const set = QUOTA_SIGNALS.filter((s) => v[s] !== null).map((s) => [s, v[s]!] as const);
    return set.length > 0 ? (Object.fromEntries(set) as Partial<Record<QuotaSignal, number>>) : undefined;
  };
  const rate = perSignal(draft.ingestItemsPerSecond);
  const daily = perSignal(draft.dailyItems);
  return {
    ...(rate ? { ingestItemsPerSecond: rate } : {}),
    ...(daily ? { dailyItems: daily } : {}),
    ...(draft.maxQueryRangeSeconds !== null ? { maxQueryRangeSeconds: draft.maxQueryRangeSeconds } : {}),
    ...(draft.maxConcurrentQueries !== null ? { maxConcurrentQueries: draft.maxConcurrentQueries } : {}),
    ...(draft.maxActiveSeries !== null ? { maxActiveSeries: draft.maxActiveSeries } : {}),
  };
}
