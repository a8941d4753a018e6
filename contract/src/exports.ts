// Data export and erasure jobs (issue 20): request bodies and the job as the API returns it.
import { z } from 'zod';

const Time = z.union([z.string().max(64), z.number().int().nonnegative()]).describe('RFC 3339 or epoch milliseconds');
const Text = z.string().min(1).max(1024);

export const EXPORT_SIGNALS = ['traces', 'logs', 'metrics'] as const;
export type ExportSignal = (typeof EXPORT_SIGNALS)[number];
/** otlp-json: one OTLP/JSON export request per line (traces and logs). */
export const EXPORT_FORMATS = ['ndjson', 'otlp-json', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Equality filters, all required: the service, span/log/series attributes and resource attributes. */
export const ExportFiltersSchema = z
  .object({
    service: Text.optional(),
    attributes: z.record(Text, z.string().max(1024)).optional(),
    resourceAttributes: z.record(Text, z.string().max(1024)).optional(),
  })
  .strict()
  .refine((f) => Object.keys(f.attributes ?? {}).length + Object.keys(f.resourceAttributes ?? {}).length <= 20, {
    message: 'at most 20 attribute filters',
  });
export type ExportFilters = z.infer<typeof ExportFiltersSchema>;

export const ExportRequestSchema = z
  .object({
    signal: z.enum(EXPORT_SIGNALS),
    from: Time,
    to: Time,
    filters: ExportFiltersSchema.optional(),
    format: z.enum(EXPORT_FORMATS),
  })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'expired'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface ExportJobDto {
  id: string;
  signal: ExportSignal;
  format: ExportFormat;
  from: string;
  to: string;
  filters: ExportFilters;
  status: JobStatus;
  /** 0–1. */
  progress: number;
  rows: number | null;
  bytes: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** When the file is deleted (finished jobs only). */
  expiresAt: string | null;
}

export const ERASURE_SIGNALS = ['traces', 'logs', 'metrics'] as const;
export type ErasureSignal = (typeof ERASURE_SIGNALS)[number];

export const ErasureRequestSchema = z
  .object({
    match: z.object({ attribute: Text, value: z.string().min(1).max(1024) }).strict(),
    signals: z.array(z.enum(ERASURE_SIGNALS)).min(1).max(3).optional(),
    from: Time.optional(),
    to: Time.optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();
export type ErasureRequest = z.infer<typeof ErasureRequestSchema>;

export interface ErasureJobDto {
  id: string;
  match: { attribute: string; value: string };
  signals: ErasureSignal[];
  from: string | null;
  to: string | null;
  dryRun: boolean;
  status: JobStatus;
  progress: number;
  /** Rows matching per signal (dry run), or rows deleted per signal. */
  counts: Partial<Record<ErasureSignal, number>>;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}
