import { z } from 'zod';

/** The longest retention a policy may set, in days (ingest also bounds item times by it). */
export const MAX_RETENTION_DAYS = 3650;

const Days = z.number().int().min(1).max(MAX_RETENTION_DAYS);

/** `PUT /api/v1/retention`: any subset of signals and of their fields, e.g. `{ "logs": { "rawDays": 7 } }`. */
const SignalRetentionUpdate = z
  .object({ rawDays: Days.optional(), hourlyDays: Days.optional(), dailyDays: Days.optional() })
  .strict();
export const RetentionUpdateSchema = z
  .object({
    spans: SignalRetentionUpdate.optional(),
    logs: SignalRetentionUpdate.optional(),
    metrics: SignalRetentionUpdate.optional(),
  })
  .strict();
export type RetentionUpdate = z.infer<typeof RetentionUpdateSchema>;
