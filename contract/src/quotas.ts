import { z } from 'zod';

/** Each collector process keeps hash sets of up to this many series per tenant in memory. */
export const MAX_ACTIVE_SERIES = 1_000_000;

const Positive = z.number().int().min(1).max(1e12);
const PerSignal = z
  .object({ traces: Positive.optional(), metrics: Positive.optional(), logs: Positive.optional() })
  .strict();

/**
 * A tenant's quotas, set by an instance administrator (`PUT /api/v1/tenants/{id}/quotas`
 * replaces them all; a missing field is unlimited). Items are spans, log records and metric
 * data points (remote-write samples).
 */
export const TenantQuotasSchema = z
  .object({
    /** Ingest rate per signal, items per second, for all collector replicas together. */
    ingestItemsPerSecond: PerSignal.optional(),
    /** Items accepted per signal per UTC day. */
    dailyItems: PerSignal.optional(),
    /**
     * Metric series active at once (seen in the last 10 to 20 minutes), all collector replicas
     * together: data points of new series beyond it are refused, those of active series accepted.
     */
    maxActiveSeries: z.number().int().min(1).max(MAX_ACTIVE_SERIES).optional(),
    /** The longest from–to span of one query, in seconds. */
    maxQueryRangeSeconds: Positive.optional(),
    /** Queries of the tenant running at once on one API process. */
    maxConcurrentQueries: Positive.optional(),
  })
  .strict();
export type TenantQuotas = z.infer<typeof TenantQuotasSchema>;

export interface TenantQuotasDto {
  tenantId: string;
  quotas: TenantQuotas;
  /** RFC 3339; null while the tenant has never had quotas set. */
  updatedAt: string | null;
}
