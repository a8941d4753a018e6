import { z } from 'zod';

const Days = z.number().int().min(1).max(3650);

/** `PUT /api/v1/retention`: any subset of signals and of their fields, e.g. `{ "logs": { "rawDays": 7 } }`. */
const SignalRetentionUpdate = z.object({ rawDays: Days.optional(), hourlyDays: Days.optional(), dailyDays: Days.optional() }).strict();
export const RetentionUpdateSchema = z
  .object({ spans: SignalRetentionUpdate.optional(), logs: SignalRetentionUpdate.optional(), metrics: SignalRetentionUpdate.optional() })
  .strict();
export type RetentionUpdate = z.infer<typeof RetentionUpdateSchema>;
