import type { SpanDto, SpanKindName, StatusCodeName } from '@telemetryflow/contract';
import { storedToKeyValuesJson } from '@telemetryflow/otlp';
import { ATTRIBUTED_COLUMNS, idOrEmpty, scopeDto, type AttributedRow } from '../clickhouse-rows.js';

/** One `spans` row as the trace query selects it. */
export interface SpanRow extends AttributedRow {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  TraceState: string;
  Name: string;
  Kind: string;
  ServiceName: string;
  startNs: string;
  endNs: string;
  DurationNs: string;
  StatusCode: string;
  StatusMessage: string;
  Flags: number | string;
  DroppedAttributesCount: number | string;
  DroppedEventsCount: number | string;
  DroppedLinksCount: number | string;
  eventTimes: string[];
  EventNames: string[];
  EventAttributes: Record<string, string>[];
  EventAttributeTypes: Record<string, string>[];
  linkTraceIds: string[];
  linkSpanIds: string[];
  LinkTraceStates: string[];
  LinkAttributes: Record<string, string>[];
  LinkAttributeTypes: Record<string, string>[];
  EventDroppedAttributesCounts: (number | string)[];
  LinkFlags: (number | string)[];
  LinkDroppedAttributesCounts: (number | string)[];
}

export const SPAN_COLUMNS = `
  lower(hex(TraceId)) AS traceId, lower(hex(SpanId)) AS spanId, lower(hex(ParentSpanId)) AS parentSpanId,
  TraceState, Name, Kind, ServiceName,
  toString(toUnixTimestamp64Nano(StartTime)) AS startNs, toString(toUnixTimestamp64Nano(EndTime)) AS endNs, DurationNs,
  StatusCode, StatusMessage, Flags, DroppedAttributesCount, DroppedEventsCount, DroppedLinksCount, ${ATTRIBUTED_COLUMNS},
  arrayMap(t -> toString(toUnixTimestamp64Nano(t)), EventTimes) AS eventTimes, EventNames, EventAttributes, EventAttributeTypes,
  arrayMap(x -> lower(hex(x)), LinkTraceIds) AS linkTraceIds, arrayMap(x -> lower(hex(x)), LinkSpanIds) AS linkSpanIds,
  LinkTraceStates, LinkAttributes, LinkAttributeTypes, EventDroppedAttributesCounts, LinkFlags, LinkDroppedAttributesCounts`;

export function spanRowToDto(r: SpanRow): SpanDto {
  return {
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: idOrEmpty(r.parentSpanId),
    traceState: r.TraceState,
    name: r.Name,
    kind: (r.Kind || 'SPAN_KIND_UNSPECIFIED') as SpanKindName,
    serviceName: r.ServiceName,
    startTimeUnixNano: r.startNs,
    endTimeUnixNano: r.endNs,
    durationNs: String(r.DurationNs),
    status: { code: (r.StatusCode || 'STATUS_CODE_UNSET') as StatusCodeName, message: r.StatusMessage },
    flags: Number(r.Flags),
    attributes: storedToKeyValuesJson(r.Attributes, r.AttributeTypes),
    resource: storedToKeyValuesJson(r.ResourceAttributes, r.ResourceAttributeTypes),
    scope: scopeDto(r),
    events: r.EventNames.map((name, i) => ({
      timeUnixNano: r.eventTimes[i] ?? '0',
      name,
      attributes: storedToKeyValuesJson(r.EventAttributes[i] ?? {}, r.EventAttributeTypes[i] ?? {}),
      droppedAttributesCount: Number(r.EventDroppedAttributesCounts[i] ?? 0),
    })),
    links: r.linkTraceIds.map((traceId, i) => ({
      traceId,
      spanId: r.linkSpanIds[i] ?? '',
      traceState: r.LinkTraceStates[i] ?? '',
      attributes: storedToKeyValuesJson(r.LinkAttributes[i] ?? {}, r.LinkAttributeTypes[i] ?? {}),
      droppedAttributesCount: Number(r.LinkDroppedAttributesCounts[i] ?? 0),
      flags: Number(r.LinkFlags[i] ?? 0),
    })),
    droppedAttributesCount: Number(r.DroppedAttributesCount),
    droppedEventsCount: Number(r.DroppedEventsCount),
    droppedLinksCount: Number(r.DroppedLinksCount),
  };
}
