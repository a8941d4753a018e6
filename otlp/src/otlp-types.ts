// Shapes of OTLP messages as protobufjs decodes them (camelCase fields, 64-bit
// integers as Long, bytes as Uint8Array). Fields are optional because proto3
// decoders leave defaults on the prototype and JSON input may omit anything.

export interface Int64 {
  low: number;
  high: number;
  unsigned: boolean;
  toString(radix?: number): string;
  toNumber(): number;
}

export type Int64Like = Int64 | number | string;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64Like | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
  /** Name of the oneof member that is set (protobufjs virtual oneof getter). */
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

export interface Resource {
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface InstrumentationScope {
  name?: string | null;
  version?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface SpanEvent {
  timeUnixNano?: Int64Like | null;
  name?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface SpanLink {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
}

export interface Span {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  parentSpanId?: Uint8Array | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64Like | null;
  endTimeUnixNano?: Int64Like | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  events?: SpanEvent[] | null;
  droppedEventsCount?: number | null;
  links?: SpanLink[] | null;
  droppedLinksCount?: number | null;
  status?: { message?: string | null; code?: number | null } | null;
}

export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans?: Span[] | null;
  schemaUrl?: string | null;
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans?: ScopeSpans[] | null;
  schemaUrl?: string | null;
}

export interface ExportTraceServiceRequest {
  resourceSpans?: ResourceSpans[] | null;
}

export interface LogRecord {
  timeUnixNano?: Int64Like | null;
  observedTimeUnixNano?: Int64Like | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  eventName?: string | null;
}

export interface ScopeLogs {
  scope?: InstrumentationScope | null;
  logRecords?: LogRecord[] | null;
  schemaUrl?: string | null;
}

export interface ResourceLogs {
  resource?: Resource | null;
  scopeLogs?: ScopeLogs[] | null;
  schemaUrl?: string | null;
}

export interface ExportLogsServiceRequest {
  resourceLogs?: ResourceLogs[] | null;
}

export interface Exemplar {
  filteredAttributes?: KeyValue[] | null;
  timeUnixNano?: Int64Like | null;
  asDouble?: number | null;
  asInt?: Int64Like | null;
  spanId?: Uint8Array | null;
  traceId?: Uint8Array | null;
  value?: 'asDouble' | 'asInt';
}

export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  asDouble?: number | null;
  asInt?: Int64Like | null;
  value?: 'asDouble' | 'asInt';
  exemplars?: Exemplar[] | null;
  flags?: number | null;
}

export interface HistogramDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  bucketCounts?: Int64Like[] | null;
  explicitBounds?: number[] | null;
  exemplars?: Exemplar[] | null;
  flags?: number | null;
  min?: number | null;
  max?: number | null;
}

export interface ExponentialHistogramBuckets {
  offset?: number | null;
  bucketCounts?: Int64Like[] | null;
}

export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  scale?: number | null;
  zeroCount?: Int64Like | null;
  positive?: ExponentialHistogramBuckets | null;
  negative?: ExponentialHistogramBuckets | null;
  flags?: number | null;
  exemplars?: Exemplar[] | null;
  min?: number | null;
  max?: number | null;
  zeroThreshold?: number | null;
}

export interface SummaryDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64Like | null;
  timeUnixNano?: Int64Like | null;
  count?: Int64Like | null;
  sum?: number | null;
  quantileValues?: { quantile?: number | null; value?: number | null }[] | null;
  flags?: number | null;
}

export interface Metric {
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: {
    dataPoints?: NumberDataPoint[] | null;
    aggregationTemporality?: number | null;
    isMonotonic?: boolean | null;
  } | null;
  histogram?: { dataPoints?: HistogramDataPoint[] | null; aggregationTemporality?: number | null } | null;
  exponentialHistogram?: {
    dataPoints?: ExponentialHistogramDataPoint[] | null;
    aggregationTemporality?: number | null;
  } | null;
  summary?: { dataPoints?: SummaryDataPoint[] | null } | null;
  metadata?: KeyValue[] | null;
  data?: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
}

export interface ScopeMetrics {
  scope?: InstrumentationScope | null;
  metrics?: Metric[] | null;
  schemaUrl?: string | null;
}

export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics?: ScopeMetrics[] | null;
  schemaUrl?: string | null;
}

export interface ExportMetricsServiceRequest {
  resourceMetrics?: ResourceMetrics[] | null;
}

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

export interface ExportRequestBySignal {
  traces: ExportTraceServiceRequest;
  metrics: ExportMetricsServiceRequest;
  logs: ExportLogsServiceRequest;
}

export type ExportRequest = ExportRequestBySignal[Signal];
