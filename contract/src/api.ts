// Types of the read API's JSON (`/api/v1`). The query service produces them and every
// client (tests, console, scripts) consumes the same definitions.
import type { AnyValueJson, KeyValueJson } from './attributes.js';
import type { LabelFilter, MetricAggregation } from './query.js';

export interface ApiSuccess<T> {
  data: T;
  meta?: Record<string, unknown>;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

export type SpanKindName =
  | 'SPAN_KIND_UNSPECIFIED'
  | 'SPAN_KIND_INTERNAL'
  | 'SPAN_KIND_SERVER'
  | 'SPAN_KIND_CLIENT'
  | 'SPAN_KIND_PRODUCER'
  | 'SPAN_KIND_CONSUMER';

export const SPAN_KIND_NAMES: readonly SpanKindName[] = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];

export type StatusCodeName = 'STATUS_CODE_UNSET' | 'STATUS_CODE_OK' | 'STATUS_CODE_ERROR';
export const STATUS_CODE_NAMES: readonly StatusCodeName[] = [
  'STATUS_CODE_UNSET',
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
];

export interface SpanEventDto {
  timeUnixNano: string;
  name: string;
  attributes: KeyValueJson[];
  droppedAttributesCount: number;
}

export interface SpanLinkDto {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValueJson[];
  droppedAttributesCount: number;
  /** OTLP link flags: W3C trace flags in bits 0–7, bits 8–9 whether the linked context was remote. */
  flags: number;
}

/** The instrumentation scope of a span or log record. */
export interface ScopeDto {
  name: string;
  version: string;
  attributes: KeyValueJson[];
  droppedAttributesCount: number;
}

export interface SpanDto {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: SpanKindName;
  serviceName: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationNs: string;
  status: { code: StatusCodeName; message: string };
  /** OTLP span flags: W3C trace flags in bits 0–7 (1 = sampled), bits 8–9 whether the parent was remote. */
  flags: number;
  attributes: KeyValueJson[];
  resource: KeyValueJson[];
  scope: ScopeDto;
  events: SpanEventDto[];
  links: SpanLinkDto[];
  /** What the SDK dropped at its limits before export. */
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

export interface TraceDto {
  traceId: string;
  spans: SpanDto[];
}

export interface TraceSummaryDto {
  traceId: string;
  rootServiceName: string;
  rootName: string;
  startTimeUnixNano: string;
  durationNs: string;
  spanCount: number;
  errorCount: number;
}

/**
 * One cell of the trace heatmap (`GET /api/v1/traces/heatmap`): the traces starting in the
 * step at `t` (epoch ms) whose duration lies in [2^band, 2^(band+1)) ms, and how many failed.
 */
export interface TraceHeatmapCellDto {
  t: number;
  band: number;
  count: number;
  errors: number;
}

/**
 * Which spans are a service's entry spans, the spans its RED is over: its server and
 * consumer spans; where it has none, its root spans; `none` when it has neither.
 */
export type EntrySpansName = 'server_consumer' | 'root' | 'none';

/** A service with spans in the range; RED (requests, errors, latency) over its entry spans. */
export interface ServiceDto extends LatencyQuantilesDto {
  name: string;
  /** Every span of the service. */
  spanCount: number;
  /** Entry spans: server and consumer spans, or root spans where the service has none. */
  requestCount: number;
  /** Failed entry spans (status ERROR). */
  errorCount: number;
  entrySpans: EntrySpansName;
}

export interface LogDto {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AnyValueJson;
  serviceName: string;
  traceId: string;
  spanId: string;
  attributes: KeyValueJson[];
  resource: KeyValueJson[];
  scope: ScopeDto;
  /** OTLP event name (`event.name` of events); '' when the record is not an event. */
  eventName: string;
  /** OTLP log flags: W3C trace flags (bit 0: sampled). */
  flags: number;
  droppedAttributesCount: number;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface MetricDto {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
}

export interface MetricQueryRequest {
  metric: string;
  aggregation: MetricAggregation;
  groupBy?: string[];
  /** `{ key: value }` (equality) or label filters as in the query DTO. */
  filters?: Record<string, string> | LabelFilter[];
  from?: string | number;
  to?: string | number;
  stepSeconds?: number;
}

export interface MetricSeriesDto {
  labels: Record<string, string>;
  points: [number, number | null][];
  /**
   * Int64 values exactly, as decimal strings, one per point (null where a point has none):
   * min, max and last of gauges and sums whose points in the step were all integers.
   * JSON numbers are exact only up to 2^53; absent when no point has an exact value.
   */
  intValues?: (string | null)[];
}

export interface MetricQueryResultDto {
  series: MetricSeriesDto[];
}

/** Which stored data answered an aggregate query (`meta.resolution`). */
export type ResolutionName = 'raw' | 'hourly' | 'daily';

export interface ResolutionMeta {
  resolution: ResolutionName;
  [key: string]: unknown;
}

/** Latency quantiles in milliseconds (within 2% of the exact value); null without spans. */
export interface LatencyQuantilesDto {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * One step of a service's RED series: `t` is the step's start (epoch ms). Over the
 * service's entry spans (see ServiceDto), chosen once for the whole range.
 */
export interface RedPointDto extends LatencyQuantilesDto {
  t: number;
  /** Requests: entry spans that started in the step. */
  count: number;
  errorCount: number;
  /** Requests per second over the step. */
  rate: number;
  /** errorCount / count; null without requests. */
  errorRate: number | null;
}

/** One service's RED series, as `GET /services/red` answers for each service it names. */
export interface ServiceRedDto {
  service: string;
  points: RedPointDto[];
}

export interface OperationDto extends LatencyQuantilesDto {
  name: string;
  kind: string;
  count: number;
  errorCount: number;
}

/** Log records of one step (`t`, epoch ms) by severity (OTel severity range name). */
export interface LogVolumePointDto {
  t: number;
  total: number;
  bySeverity: Record<string, number>;
}

export type RetentionSignalName = 'spans' | 'logs' | 'metrics';

export interface RetentionDaysDto {
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

export type RetentionDto = Record<RetentionSignalName, RetentionDaysDto>;
