// Messages of the live tail (socket.io namespace `/live` on the API port). The server
// validates what clients send with these schemas; the console builds them with the same.
import { z } from 'zod';
import type { LogDto, SpanDto } from './api.js';
import { RenderBodySchema, type DashboardRenderDto } from './dashboards.js';
import { SEVERITY_LEVELS, type SeverityName } from './query.js';

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;

export const LiveFilterSchema = z
  .object({
    service: z.string().min(1).max(256).optional(),
    /** Records at or above this severity: a number 1–24 or a range name (INFO, WARN, …). Logs only. */
    minSeverity: z
      .union([
        z.number().int().min(1).max(24),
        z.enum(Object.keys(SEVERITY_LEVELS) as [SeverityName, ...SeverityName[]]),
      ])
      .transform((v) => (typeof v === 'number' ? v : SEVERITY_LEVELS[v]))
      .optional(),
    /** Case-insensitive substring of the log body or the span name. */
    text: z.string().min(1).max(256).optional(),
    traceId: z
      .string()
      .transform((s) => s.toLowerCase())
      .refine((s) => HEX_TRACE_ID.test(s), 'a trace id is 32 hex digits')
      .optional(),
    /** Attribute (or resource attribute) values that must all match exactly, as text. */
    attributes: z
      .record(z.string().min(1).max(256), z.string().max(1024))
      .refine((a) => Object.keys(a).length <= 16, 'at most 16 attributes')
      .optional(),
  })
  .strict();
export type LiveFilter = z.output<typeof LiveFilterSchema>;

export const LiveSubscribeSchema = z
  .object({ signal: z.enum(['logs', 'spans']), filter: LiveFilterSchema.default({}) })
  .strict();
export type LiveSubscribe = z.input<typeof LiveSubscribeSchema>;

export const LiveUnsubscribeSchema = z.object({ subscription: z.string().min(1).max(64) }).strict();

/** Answer to `subscribe` / `dashboard:subscribe` (the socket.io acknowledgement). */
export type LiveAck = { data: { subscription: string } } | { error: { code: string; message: string } };

/** Server → client `items`; the client acknowledges each delivery before it gets the next. */
export type LiveItems =
  | { subscription: string; signal: 'logs'; items: LogDto[]; dropped: number }
  | { subscription: string; signal: 'spans'; items: SpanDto[]; dropped: number };

/** Server → client `notice`: items were dropped for a slow client, or the server closes the connection. */
export interface LiveNotice {
  code: 'items_dropped' | 'slow_client_disconnected' | 'render_skipped' | 'credential_revoked' | 'too_many_connections';
  message: string;
  subscription?: string;
  dropped?: number;
}

/**
 * Dashboard live mode: the dashboard rendered every `intervalSeconds` over the last
 * `lastSeconds` (default: its own time range), with the variable values of a render.
 */
export const LiveDashboardSubscribeSchema = z
  .object({
    dashboardId: z.uuid(),
    intervalSeconds: z.number().int().min(5).max(3600).default(30),
    lastSeconds: z
      .number()
      .int()
      .min(60)
      .max(400 * 86_400)
      .optional(),
    variables: RenderBodySchema.shape.variables,
  })
  .strict();
export type LiveDashboardSubscribe = z.input<typeof LiveDashboardSubscribeSchema>;

/** Server → client `dashboard`: one render of a followed dashboard; acknowledge it to get the next. */
export interface LiveDashboardRender {
  subscription: string;
  dashboardId: string;
  data: DashboardRenderDto;
}
