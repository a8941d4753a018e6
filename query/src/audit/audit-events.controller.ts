import { Readable } from 'node:stream';
import { Controller, Get, Inject, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import {
  AuditEventSchema,
  AuditVerifySchema,
  type ApiSuccess,
  type AuditEventDto,
  type AuditVerifyDto,
} from '@telemetryflow/contract';
import { ApiRoute, invalidParameter, parseTimeNs, Requires, TenantId, ValidQuery } from '@telemetryflow/http-kit';
import { firstBreak, type ChainBreak, type SealedAuditRecord } from './audit-chain.js';
import { AuditEventsRepository, type AuditFilter } from './audit-events.repository.js';

const time = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const ns = parseTimeNs(v);
      if (ns === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name}: RFC 3339 or epoch milliseconds` });
        return z.NEVER;
      }
      return Number(ns / 1_000_000n);
    });

const FilterQuery = z.object({
  actor: z.string().min(1).max(320).optional().describe('actor id, e-mail address or API key prefix'),
  action: z.string().min(1).max(128).optional().describe('e.g. dashboard.update'),
  resourceType: z.string().min(1).max(128).optional(),
  resourceId: z.string().min(1).max(256).optional(),
  outcome: z.enum(['success', 'denied', 'error']).optional(),
  from: time('from').describe('RFC 3339 or epoch milliseconds (inclusive)'),
  to: time('to').describe('RFC 3339 or epoch milliseconds (exclusive)'),
});

const ListQuery = FilterQuery.extend({
  cursor: z
    .string()
    .regex(/^\d{1,20}$/, 'is not a cursor of this API')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const ExportQuery = FilterQuery.extend({ format: z.enum(['ndjson', 'csv']).default('ndjson') });
const VerifyQuery = z.object({ from: FilterQuery.shape.from, to: FilterQuery.shape.to });

/** One stored event as the API answers it. */
export function auditEventDto(r: SealedAuditRecord): AuditEventDto {
  return {
    id: r.id,
    seq: r.seq,
    time: new Date(r.timeMs).toISOString(),
    tenantId: r.tenantId,
    actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
    clientAddress: r.clientAddress,
    userAgent: r.userAgent,
    action: r.action,
    resource: { type: r.resourceType, id: r.resourceId, name: r.resourceName },
    outcome: r.outcome as AuditEventDto['outcome'],
    status: r.status,
    requestId: r.requestId,
    before: r.before === '' ? null : (JSON.parse(r.before) as unknown),
    after: r.after === '' ? null : (JSON.parse(r.after) as unknown),
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

const CSV_COLUMNS = [
  'id',
  'seq',
  'time',
  'actorType',
  'actorId',
  'actorLabel',
  'clientAddress',
  'userAgent',
  'action',
  'resourceType',
  'resourceId',
  'resourceName',
  'outcome',
  'status',
  'requestId',
  'before',
  'after',
  'prevHash',
  'hash',
] as const;

function csvField(v: string | number): string {
  const s = String(v);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvLine(r: SealedAuditRecord): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | number> = {
    ...r,
    time: new Date(r.timeMs).toISOString(),
  };
  return CSV_COLUMNS.map((c) => csvField(values[c])).join(',') + '\r\n';
}

const PAGE = 1000;

function checkRange(q: { from?: number; to?: number }): void {
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) throw invalidParameter('to', 'must be after from');
}

/** The tenant's audit log: search, export and the hash chain's check (tenant admins). */
@Controller('api/v1/audit-events')
@Requires('admin')
export class AuditEventsController {
  constructor(@Inject(AuditEventsRepository) private readonly events: AuditEventsRepository) {}

  @Get()
  @ApiRoute({
    summary:
      "The tenant's audit events, newest first; `cursor` (the previous page's nextCursor) pages on. actor matches an id, e-mail address or key prefix",
    query: ListQuery,
    response: z.object({ events: z.array(AuditEventSchema), nextCursor: z.string().nullable() }),
    tags: ['audit'],
  })
  async list(
    @TenantId() tenant: string,
    @ValidQuery() q: z.output<typeof ListQuery>,
  ): Promise<ApiSuccess<{ events: AuditEventDto[]; nextCursor: string | null }>> {
    checkRange(q);
    const rows = await this.events.list(tenant, filterOf(q), q.limit + 1, q.cursor ? Number(q.cursor) : undefined);
    const page = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? String(page[page.length - 1]!.seq) : null;
    return { data: { events: page.map(auditEventDto), nextCursor } };
  }

  @Get('export')
  @ApiRoute({
    summary: "The tenant's audit events matching the filters, newest first, streamed as NDJSON or CSV",
    query: ExportQuery,
    tags: ['audit'],
  })
  export(@TenantId() tenant: string, @ValidQuery() q: z.output<typeof ExportQuery>): StreamableFile {
    checkRange(q);
    const filter = filterOf(q);
    const events = this.events;
    async function* lines(): AsyncGenerator<string> {
      if (q.format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
      let before: number | undefined;
      for (;;) {
        const rows = await events.list(tenant, filter, PAGE, before);
        for (const r of rows) yield q.format === 'csv' ? csvLine(r) : JSON.stringify(auditEventDto(r)) + '\n';
        if (rows.length < PAGE) return;
        before = rows[rows.length - 1]!.seq;
      }
    }
    return new StreamableFile(Readable.from(lines()), {
      type: q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      disposition: `attachment; filename="audit-events.${q.format === 'csv' ? 'csv' : 'ndjson'}"`,
    });
  }

  @Get('verify')
  @ApiRoute({
    summary:
      "Recomputes the hash chain of the tenant's events in [from, to) and reports the first break: an event changed (hash), a link that does not match the previous event (link), or a missing event (gap; without `to`, also the newest events against the chain head kept in Postgres)",
    query: VerifyQuery,
    response: AuditVerifySchema,
    tags: ['audit'],
  })
  async verify(
    @TenantId() tenant: string,
    @ValidQuery() q: z.output<typeof VerifyQuery>,
  ): Promise<ApiSuccess<AuditVerifyDto>> {
    checkRange(q);
    // Read before ClickHouse: the relay only ever adds to what this says must be there.
    const sealedThrough = q.to === undefined ? await this.events.sealedThrough(tenant) : 0;
    let checked = 0;
    let after = 0;
    let last: SealedAuditRecord | undefined;
    for (;;) {
      const rows = await this.events.chainPage(tenant, { fromMs: q.from, toMs: q.to }, PAGE, after);
      // The last event of the previous page links this page to it.
      const found: ChainBreak | undefined = firstBreak(last ? [last, ...rows] : rows);
      checked += rows.length;
      if (found) return { data: { checked, ok: false, firstBreak: found } };
      const newest = rows.at(-1) ?? last;
      if (rows.length < PAGE) {
        // Up to now: the newest events may not be missing either (nothing after them would show it).
        if ((newest?.seq ?? 0) < sealedThrough)
          return {
            data: {
              checked,
              ok: false,
              firstBreak: {
                eventId: newest?.id ?? '',
                seq: newest?.seq ?? 0,
                kind: 'gap',
                expected: `seq ${sealedThrough}`,
                stored: `seq ${newest?.seq ?? 0}`,
              },
            },
          };
        return { data: { checked, ok: true, firstBreak: null } };
      }
      last = rows[rows.length - 1]!;
      after = last.seq;
    }
  }
}

function filterOf(q: z.output<typeof FilterQuery>): AuditFilter {
  return {
    ...(q.actor !== undefined && { actor: q.actor }),
    ...(q.action !== undefined && { action: q.action }),
    ...(q.resourceType !== undefined && { resourceType: q.resourceType }),
    ...(q.resourceId !== undefined && { resourceId: q.resourceId }),
    ...(q.outcome !== undefined && { outcome: q.outcome }),
    ...(q.from !== undefined && { fromMs: q.from }),
    ...(q.to !== undefined && { toMs: q.to }),
  };
}
