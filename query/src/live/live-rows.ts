// Rows as the ingest row builders make them (positional, columns as in INSERT_COLUMNS) →
// the same DTOs the read API returns for stored logs and spans. Pure.
import { insertColumns, type InsertTable } from '@telemetryflow/clickhouse';
import type { LogDto, SpanDto } from '@telemetryflow/contract';
import { logRowToDto } from '../logs/log-search.js';
import { spanRowToDto } from '../traces/span-mapping.js';

export type InsertRow = readonly unknown[];

/** Column name → position in a row of `table`. */
function positions(table: InsertTable): Record<string, number> {
  return Object.fromEntries(insertColumns(table).map((name, i) => [name, i]));
}

const LOG = positions('logs');
const SPAN = positions('spans');

type StringMap = Record<string, string>;

/** A log row, by name: what filters look at before the DTO is built. */
export interface LiveLogRow {
  serviceName: string;
  severityNumber: number;
  body: string;
  traceId: string;
  attributes: StringMap;
  resource: StringMap;
  row: InsertRow;
}

export interface LiveSpanRow {
  serviceName: string;
  name: string;
  traceId: string;
  attributes: StringMap;
  resource: StringMap;
  row: InsertRow;
}

const text = (row: InsertRow, i: number | undefined): string => String(row[i!] ?? '');
const count = (row: InsertRow, i: number | undefined): number => Number(row[i!] ?? 0);
const map = (row: InsertRow, i: number | undefined): StringMap => (row[i!] ?? {}) as StringMap;

export function liveLogRow(row: InsertRow): LiveLogRow {
  return {
    serviceName: text(row, LOG.ServiceName),
    severityNumber: Number(row[LOG.SeverityNumber!] ?? 0),
    body: text(row, LOG.Body),
    traceId: text(row, LOG.TraceIdHex),
    attributes: map(row, LOG.Attributes),
    resource: map(row, LOG.ResourceAttributes),
    row,
  };
}

export function liveSpanRow(row: InsertRow): LiveSpanRow {
  return {
    serviceName: text(row, SPAN.ServiceName),
    name: text(row, SPAN.Name),
    traceId: text(row, SPAN.TraceIdHex),
    attributes: map(row, SPAN.Attributes),
    resource: map(row, SPAN.ResourceAttributes),
    row,
  };
}

export function logInsertRowToDto(row: InsertRow): LogDto {
  return logRowToDto({
    timeNs: text(row, LOG.TimestampNs),
    observedNs: text(row, LOG.ObservedTimestampNs),
    SeverityNumber: Number(row[LOG.SeverityNumber!] ?? 0),
    SeverityText: text(row, LOG.SeverityText),
    Body: text(row, LOG.Body),
    BodyType: text(row, LOG.BodyType),
    ServiceName: text(row, LOG.ServiceName),
    traceId: text(row, LOG.TraceIdHex),
    spanId: text(row, LOG.SpanIdHex),
    Attributes: map(row, LOG.Attributes),
    AttributeTypes: map(row, LOG.AttributeTypes),
    ResourceAttributes: map(row, LOG.ResourceAttributes),
    ResourceAttributeTypes: map(row, LOG.ResourceAttributeTypes),
    ScopeName: text(row, LOG.ScopeName),
    ScopeVersion: text(row, LOG.ScopeVersion),
    ScopeAttributes: map(row, LOG.ScopeAttributes),
    ScopeAttributeTypes: map(row, LOG.ScopeAttributeTypes),
    ScopeDroppedAttributesCount: count(row, LOG.ScopeDroppedAttributesCount),
    EventName: text(row, LOG.EventName),
    Flags: count(row, LOG.Flags),
    DroppedAttributesCount: count(row, LOG.DroppedAttributesCount),
  });
}

const strings = (row: InsertRow, i: number | undefined): string[] => ((row[i!] ?? []) as unknown[]).map(String);
const maps = (row: InsertRow, i: number | undefined): StringMap[] => (row[i!] ?? []) as StringMap[];
const counts = (row: InsertRow, i: number | undefined): number[] => ((row[i!] ?? []) as unknown[]).map(Number);

export function spanInsertRowToDto(row: InsertRow): SpanDto {
  return spanRowToDto({
    traceId: text(row, SPAN.TraceIdHex),
    spanId: text(row, SPAN.SpanIdHex),
    parentSpanId: text(row, SPAN.ParentSpanIdHex),
    TraceState: text(row, SPAN.TraceState),
    Name: text(row, SPAN.Name),
    Kind: text(row, SPAN.Kind),
    ServiceName: text(row, SPAN.ServiceName),
    startNs: text(row, SPAN.StartTimeNs),
    endNs: text(row, SPAN.EndTimeNs),
    DurationNs: text(row, SPAN.DurationNs),
    StatusCode: text(row, SPAN.StatusCode),
    StatusMessage: text(row, SPAN.StatusMessage),
    Flags: count(row, SPAN.Flags),
    DroppedAttributesCount: count(row, SPAN.DroppedAttributesCount),
    DroppedEventsCount: count(row, SPAN.DroppedEventsCount),
    DroppedLinksCount: count(row, SPAN.DroppedLinksCount),
    Attributes: map(row, SPAN.Attributes),
    AttributeTypes: map(row, SPAN.AttributeTypes),
    ResourceAttributes: map(row, SPAN.ResourceAttributes),
    ResourceAttributeTypes: map(row, SPAN.ResourceAttributeTypes),
    ScopeName: text(row, SPAN.ScopeName),
    ScopeVersion: text(row, SPAN.ScopeVersion),
    ScopeAttributes: map(row, SPAN.ScopeAttributes),
    ScopeAttributeTypes: map(row, SPAN.ScopeAttributeTypes),
    ScopeDroppedAttributesCount: count(row, SPAN.ScopeDroppedAttributesCount),
    eventTimes: strings(row, SPAN.EventTimesNs),
    EventNames: strings(row, SPAN.EventNames),
    EventAttributes: maps(row, SPAN.EventAttributes),
    EventAttributeTypes: maps(row, SPAN.EventAttributeTypes),
    linkTraceIds: strings(row, SPAN.LinkTraceIdsHex),
    linkSpanIds: strings(row, SPAN.LinkSpanIdsHex),
    LinkTraceStates: strings(row, SPAN.LinkTraceStates),
    LinkAttributes: maps(row, SPAN.LinkAttributes),
    LinkAttributeTypes: maps(row, SPAN.LinkAttributeTypes),
    EventDroppedAttributesCounts: counts(row, SPAN.EventDroppedAttributesCounts),
    LinkFlags: counts(row, SPAN.LinkFlags),
    LinkDroppedAttributesCounts: counts(row, SPAN.LinkDroppedAttributesCounts),
  });
}
