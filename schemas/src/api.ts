// Types of the read API's JSON (`/api/v1`). The query service produces them and every
// client (tests, console, scripts) consumes the same definitions.
import type { AnyValueJson, KeyValueJson } from './attributes.js';

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
export const STATUS_CODE_NAMES: readonly StatusCodeName[] = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

export interface SpanEventDto {
  timeUnixNano: string;
  name: string;
  attributes: KeyValueJson[];
}

export interface SpanLinkDto {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValueJson[];
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
  attributes: KeyValueJson[];
  resource: KeyValueJson[];
  scope: { name: string; version: string };
  events: SpanEventDto[];
  links: SpanLinkDto[];
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

export interface ServiceDto {
  name: string;
  spanCount: number;
  errorCount: number;
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
  scope: { name: string; version: string };
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface MetricDto {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
}

export type MetricAggregation = 'avg' | 'sum' | 'min' | 'max' | 'count' | 'last' | 'rate' | 'p50' | 'p90' | 'p95' | 'p99';
export const METRIC_AGGREGATIONS: readonly MetricAggregation[] = ['avg', 'sum', 'min', 'max', 'count', 'last', 'rate', 'p50', 'p90', 'p95', 'p99'];

export interface MetricQueryRequest {
  metric: string;
  aggregation: MetricAggregation;
  groupBy?: string[];
  filters?: Record<string, string>;
  from?: string | number;
  to?: string | number;
  stepSeconds?: number;
}

export interface MetricSeriesDto {
  labels: Record<string, string>;
  points: [number, number | null][];
}

export interface MetricQueryResultDto {
  series: MetricSeriesDto[];
}
