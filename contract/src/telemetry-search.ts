// Query strings and answers of the trace, log, service-map and metric-discovery routes.
// Query-string values arrive as strings; numbers are checked as digit strings here and
// converted by the API.
import { z } from 'zod';

const Time = z.string().max(64).describe('RFC 3339 or epoch milliseconds');
const Digits = z.string().regex(/^\d+$/, 'must be a non-negative integer');
const Millis = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative number');
const Text = z.string().max(1024);
const HexId = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes * 2} hexadecimal characters`);

/** `attr.<key>=<value>` (span or log attribute) and `resource.<key>=<value>` equality filters. */
const attributeFilters = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object(shape)
    .catchall(Text)
    .superRefine((q, ctx) => {
      for (const key of Object.keys(q)) {
        if (!(key in shape) && !/^(attr|resource)\..+$/.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'unknown parameter (attribute filters are attr.<key> or resource.<key>)',
          });
        }
      }
    });

export const TRACE_SORTS = ['newest', 'slowest'] as const;

export const TraceSearchParamsSchema = attributeFilters({
  from: Time.optional(),
  to: Time.optional(),
  service: Text.optional(),
  operation: Text.optional(),
  status: z.enum(['ok', 'error']).optional(),
  minDurationMs: Millis.optional(),
  maxDurationMs: Millis.optional(),
  sort: z.enum(TRACE_SORTS).optional(),
  limit: Digits.optional(),
  /** `meta.nextCursor` of the previous page. */
  cursor: z.string().max(512).optional(),
});

/** The trace search's filters, and the heatmap's step (cursor, limit and sort do not apply). */
export const TraceHeatmapParamsSchema = attributeFilters({
  from: Time.optional(),
  to: Time.optional(),
  service: Text.optional(),
  operation: Text.optional(),
  status: z.enum(['ok', 'error']).optional(),
  minDurationMs: Millis.optional(),
  maxDurationMs: Millis.optional(),
  stepSeconds: Digits.optional(),
});

export const TraceGetParamsSchema = z.object({ include: z.enum(['logs']).optional() });

export const LogSearchParamsSchema = attributeFilters({
  from: Time.optional(),
  to: Time.optional(),
  /** Words, "quoted phrases" and prefix* terms, all required. */
  q: Text.optional(),
  service: Text.optional(),
  severity: z.string().max(64).optional(),
  /** At or above: a severity number 1–24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
  minSeverity: z
    .string()
    .regex(/^([1-9]|1\d|2[0-4]|TRACE|DEBUG|INFO|WARN|ERROR|FATAL)$/i, 'must be 1–24 or a severity name')
    .optional(),
  traceId: HexId(16).optional(),
  limit: Digits.optional(),
  cursor: z.string().max(512).optional(),
  /** Histogram only: step in seconds. */
  stepSeconds: Digits.optional(),
});

export const RangeParamsSchema = z.object({ from: Time.optional(), to: Time.optional() });

const Resolution = z
  .enum(['auto', 'raw'])
  .describe('auto: the planner reads raw, hourly or daily data (meta.resolution says which); raw: raw rows only');
const StepSeconds = Digits.describe('step of the series in seconds (default: a round step giving ~100–300 points)');

/** Aggregates over rollups: services, service RED and operations. */
export const AggregateParamsSchema = z.object({
  from: Time.optional(),
  to: Time.optional(),
  stepSeconds: StepSeconds.optional(),
  resolution: Resolution.optional(),
});
/** Most services one batched RED request names (the console asks for its busiest 30). */
export const MAX_RED_SERVICES = 100;
/** RED series of several services in one request: `service` given once per service. */
export const ServicesRedParamsSchema = AggregateParamsSchema.extend({
  service: z.union([Text, z.array(Text).min(1).max(MAX_RED_SERVICES)]),
});
/** The volume of one service or all; with any filter of the log search, of exactly that search (raw logs). */
export const LogVolumeParamsSchema = attributeFilters({
  ...AggregateParamsSchema.shape,
  service: Text.optional(),
  q: LogSearchParamsSchema.shape.q,
  severity: LogSearchParamsSchema.shape.severity,
  minSeverity: LogSearchParamsSchema.shape.minSeverity,
  traceId: LogSearchParamsSchema.shape.traceId,
});

export const AttributeKeysParamsSchema = z.object({
  from: Time.optional(),
  to: Time.optional(),
  limit: Digits.optional(),
});
export const AttributeValuesParamsSchema = AttributeKeysParamsSchema.extend({ prefix: Text.optional() });

export const MetricLabelsParamsSchema = z.object({
  metric: z.string().min(1).max(1024),
  from: Time.optional(),
  to: Time.optional(),
  limit: Digits.optional(),
});
export const MetricLabelValuesParamsSchema = MetricLabelsParamsSchema.extend({ prefix: Text.optional() });
export const ExemplarParamsSchema = attributeFilters({
  metric: z.string().min(1).max(1024),
  from: Time.optional(),
  to: Time.optional(),
  limit: Digits.optional(),
});

/** A span or resource attribute key: `attr.<key>` or `resource.<key>`, as filters name it. */
export interface AttributeKeyDto {
  key: string;
  count: number;
}

/**
 * What a node of the service map is: an instrumented service, or a peer that services call
 * without it sending spans of its own — a database (`db.system`), a messaging system
 * (`messaging.system`) or another external service (`peer.service`, `server.address`, the URL's host).
 */
export type ServiceMapNodeType = 'service' | 'database' | 'messaging' | 'external';

/**
 * A node of the map. A service carries the RED of its entry spans (server and consumer spans,
 * or root spans where it has none); a peer the RED of the client and producer spans that call it.
 */
export interface ServiceMapNodeDto {
  /** The node's name, unique in the map: the service's, or the peer's (e.g. "postgresql orders", "api.stripe.com"). */
  service: string;
  type: ServiceMapNodeType;
  /** A database's `db.system` or a messaging node's `messaging.system` (e.g. "postgresql", "kafka"). */
  system?: string;
  /** Requests: entry spans in the range (for a peer: calls to it), and the failed ones among them. */
  count: number;
  errorCount: number;
  /** Requests per second over the range. */
  rate: number;
  errorRate: number | null;
  p95Ms: number | null;
}

/** Calls from a service (`caller`) to a node of the map (`callee`: a service's or a peer's name). */
export interface ServiceMapEdgeDto {
  caller: string;
  callee: string;
  calls: number;
  errorCount: number;
  p95Ms: number | null;
}

export interface ServiceMapDto {
  nodes: ServiceMapNodeDto[];
  edges: ServiceMapEdgeDto[];
}

export interface ExemplarDto {
  timeUnixNano: string;
  value: number;
  /** An integer exemplar's value exactly, as a decimal string (`value` is exact only up to 2^53). */
  intValue?: string;
  traceId: string;
  spanId: string;
  /** The series' labels (point and resource attributes). */
  seriesLabels: Record<string, string>;
  attributes: Record<string, string>;
}
