// Rows as the row builders make them (@telemetryflow/rows: typed, by column name here) →
// what live filters look at, and the same DTOs the read API returns for stored logs and
// spans. Pure.
import { namedRow, type LogRow, type NamedLogRow, type NamedSpanRow, type SpanRow } from '@telemetryflow/rows';
import type { LogDto, SpanDto } from '@telemetryflow/contract';
import { logRowToDto } from '../logs/log-search.js';
import { spanRowToDto } from '../traces/span-mapping.js';

type StringMap = Record<string, string>;

/** What filters look at in a log row. */
export interface LiveLogRow {
  serviceName: string;
  severityNumber: number;
  body: string;
  traceId: string;
  attributes: StringMap;
  resource: StringMap;
}

/** What filters look at in a span row. */
export interface LiveSpanRow {
  serviceName: string;
  name: string;
  traceId: string;
  attributes: StringMap;
  resource: StringMap;
}

/** A log row as the live tail handles it: what filters look at, and the row by column name. */
export interface LiveLog extends LiveLogRow {
  row: NamedLogRow;
}

/** A span row as the live tail handles it: what filters look at, and the row by column name. */
export interface LiveSpan extends LiveSpanRow {
  row: NamedSpanRow;
}

export function liveLogRow(logRow: LogRow): LiveLog {
  const row = namedRow('logs', logRow);
  return {
    serviceName: row.ServiceName,
    severityNumber: row.SeverityNumber,
    body: row.Body,
    traceId: row.TraceIdHex,
    attributes: row.Attributes,
    resource: row.ResourceAttributes,
    row,
  };
}

export function liveSpanRow(spanRow: SpanRow): LiveSpan {
  const row = namedRow('spans', spanRow);
  return {
    serviceName: row.ServiceName,
    name: row.Name,
    traceId: row.TraceIdHex,
    attributes: row.Attributes,
    resource: row.ResourceAttributes,
    row,
  };
}

export function logInsertRowToDto(row: NamedLogRow): LogDto {
  return logRowToDto({
    timeNs: String(row.TimestampNs),
    observedNs: String(row.ObservedTimestampNs),
    SeverityNumber: row.SeverityNumber,
    SeverityText: row.SeverityText,
    Body: row.Body,
    BodyType: row.BodyType,
    ServiceName: row.ServiceName,
    traceId: row.TraceIdHex,
    spanId: row.SpanIdHex,
    Attributes: row.Attributes,
    AttributeTypes: row.AttributeTypes,
    ResourceAttributes: row.ResourceAttributes,
    ResourceAttributeTypes: row.ResourceAttributeTypes,
    ScopeName: row.ScopeName,
    ScopeVersion: row.ScopeVersion,
    ScopeAttributes: row.ScopeAttributes,
    ScopeAttributeTypes: row.ScopeAttributeTypes,
    ScopeDroppedAttributesCount: row.ScopeDroppedAttributesCount,
    EventName: row.EventName,
    Flags: row.Flags,
    DroppedAttributesCount: row.DroppedAttributesCount,
  });
}

export function spanInsertRowToDto(row: NamedSpanRow): SpanDto {
  return spanRowToDto({
    traceId: row.TraceIdHex,
    spanId: row.SpanIdHex,
    parentSpanId: row.ParentSpanIdHex,
    TraceState: row.TraceState,
    Name: row.Name,
    Kind: row.Kind,
    ServiceName: row.ServiceName,
    startNs: String(row.StartTimeNs),
    endNs: String(row.EndTimeNs),
    DurationNs: String(row.DurationNs),
    StatusCode: row.StatusCode,
    StatusMessage: row.StatusMessage,
    Flags: row.Flags,
    DroppedAttributesCount: row.DroppedAttributesCount,
    DroppedEventsCount: row.DroppedEventsCount,
    DroppedLinksCount: row.DroppedLinksCount,
    Attributes: row.Attributes,
    AttributeTypes: row.AttributeTypes,
    ResourceAttributes: row.ResourceAttributes,
    ResourceAttributeTypes: row.ResourceAttributeTypes,
    ScopeName: row.ScopeName,
    ScopeVersion: row.ScopeVersion,
    ScopeAttributes: row.ScopeAttributes,
    ScopeAttributeTypes: row.ScopeAttributeTypes,
    ScopeDroppedAttributesCount: row.ScopeDroppedAttributesCount,
    eventTimes: row.EventTimesNs.map(String),
    EventNames: [...row.EventNames],
    EventAttributes: [...row.EventAttributes],
    EventAttributeTypes: [...row.EventAttributeTypes],
    linkTraceIds: [...row.LinkTraceIdsHex],
    linkSpanIds: [...row.LinkSpanIdsHex],
    LinkTraceStates: [...row.LinkTraceStates],
    LinkAttributes: [...row.LinkAttributes],
    LinkAttributeTypes: [...row.LinkAttributeTypes],
    EventDroppedAttributesCounts: [...row.EventDroppedAttributesCounts],
    LinkFlags: [...row.LinkFlags],
    LinkDroppedAttributesCounts: [...row.LinkDroppedAttributesCounts],
  });
}
