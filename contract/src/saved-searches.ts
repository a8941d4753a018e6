// Saved searches: a named set of a signal's search filters and a relative time range, kept
// per tenant so everyone in it can apply them.
import { z } from 'zod';
import { TraceSearchParamsSchema } from './telemetry-search.js';

export const SAVED_SEARCH_SIGNALS = ['traces'] as const;
export type SavedSearchSignal = (typeof SAVED_SEARCH_SIGNALS)[number];

/** At most this many filters in one saved search. */
export const MAX_SAVED_SEARCH_FILTERS = 32;

/** Query keys of a search that are not filters: the range is saved apart, paging is not saved. */
const NOT_FILTERS = new Set(['from', 'to', 'limit', 'cursor']);

/** A relative range as the console's range picker writes it: `15m`, `6h`, `7d`. */
export const RelativeRangeSchema = z
  .string()
  .regex(/^[1-9]\d{0,3}[mhd]$/, 'must be a relative range such as 15m, 6h or 7d')
  .describe('relative time range: minutes, hours or days back from now (15m, 6h, 7d)');

export const SavedSearchBodySchema = z
  .object({
    name: z.string().trim().min(1, 'a name is needed').max(100, 'at most 100 characters'),
    signal: z.enum(SAVED_SEARCH_SIGNALS),
    /** The search's query keys as the traces route takes them (`service`, `attr.http.route`, …). */
    filters: z.record(z.string().max(256), z.string().max(1024)),
    range: RelativeRangeSchema,
  })
  .strict()
  .superRefine((body, ctx) => {
    const keys = Object.keys(body.filters);
    if (keys.length > MAX_SAVED_SEARCH_FILTERS)
      ctx.addIssue({ code: 'custom', path: ['filters'], message: `at most ${MAX_SAVED_SEARCH_FILTERS} filters` });
    for (const key of keys.filter((k) => NOT_FILTERS.has(k)))
      ctx.addIssue({ code: 'custom', path: ['filters', key], message: 'not a filter (the range is saved as range)' });
    // The filters must be a search the traces route would run.
    const checked = TraceSearchParamsSchema.safeParse(body.filters);
    if (!checked.success)
      for (const issue of checked.error.issues)
        ctx.addIssue({ code: 'custom', path: ['filters', ...issue.path], message: issue.message });
  });
export type SavedSearchBody = z.infer<typeof SavedSearchBodySchema>;

export const SavedSearchListQuerySchema = z.object({ signal: z.enum(SAVED_SEARCH_SIGNALS).optional() });

export interface SavedSearchDto {
  id: string;
  name: string;
  signal: SavedSearchSignal;
  filters: Record<string, string>;
  range: string;
  createdAt: string;
  /** `user:<id>` or `key:<id>` of whoever saved it. */
  createdBy: string | null;
}
