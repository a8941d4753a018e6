import { z } from 'zod';

/** One audit event as `GET /api/v1/audit-events` answers it (ADR 0022). */
export const AuditEventSchema = z.object({
  id: z.string(),
  seq: z.number(),
  time: z.string(),
  tenantId: z.string(),
  actor: z.object({ type: z.string(), id: z.string(), label: z.string() }),
  clientAddress: z.string(),
  userAgent: z.string(),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string(), name: z.string() }),
  outcome: z.enum(['success', 'denied', 'error']),
  status: z.number(),
  requestId: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEventDto = z.infer<typeof AuditEventSchema>;

/** `GET /api/v1/audit-events/verify`: the first break of the tenant's hash chain, if any. */
export const AuditVerifySchema = z.object({
  checked: z.number().describe('events checked'),
  ok: z.boolean(),
  firstBreak: z
    .object({
      eventId: z.string(),
      seq: z.number(),
      kind: z.enum(['hash', 'link', 'gap']),
      expected: z.string(),
      stored: z.string(),
    })
    .nullable(),
});
export type AuditVerifyDto = z.infer<typeof AuditVerifySchema>;
