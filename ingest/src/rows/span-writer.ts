import { columnTypes, type RowBinaryWriter } from '@telemetryflow/clickhouse';
import { cleanString, type ExportTraceServiceRequest, type Int64, type Int64Like, type Span } from '@telemetryflow/schemas';
import { encodeEnvelope, ItemWriter, writeAttributes, writeId, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { nanos, resourceEnvelope, uint32, withScope } from './fields.js';
import { eventAndLinkColumns, kindName, NO_EVENTS_OR_LINKS, statusName } from './spans.js';

const EVENT_AND_LINK_TYPES = columnTypes('spans').slice(-12);

/** One `spans` row as RowBinary: the bytes of encodeRowBinary over spanRow, without the row. */
export function writeSpan(w: RowBinaryWriter, tenantId: string, env: EncodedEnvelope, span: Span): void {
  w.string(tenantId);
  writeId(w, span.traceId, 16, 'trace_id', true);
  writeId(w, span.spanId, 8, 'span_id', true);
  writeId(w, span.parentSpanId, 8, 'parent_span_id', false);
  w.string(cleanString(span.traceState));
  w.uint32(uint32(span.flags));
  w.string(env.serviceName);
  w.string(cleanString(span.name));
  w.string(kindName(span));
  writeStartEndDuration(w, span);
  w.string(statusName(span));
  w.string(cleanString(span.status?.message));
  w.raw(env.columns);
  writeAttributes(w, span.attributes);
  w.uint32(uint32(span.droppedAttributesCount));
  w.uint32(uint32(span.droppedEventsCount));
  w.uint32(uint32(span.droppedLinksCount));
  const eventsAndLinks = eventAndLinkColumns(span);
  if (eventsAndLinks === NO_EVENTS_OR_LINKS) w.raw(TWELVE_EMPTY_ARRAYS);
  else w.columns(EVENT_AND_LINK_TYPES, eventsAndLinks);
}

/** Twelve Array columns of length 0: a zero length byte each. */
export const TWELVE_EMPTY_ARRAYS = new Uint8Array(12);

/** A decoded fixed64 (a Long) below 2⁶³, so that it fits DateTime64(9) as it is. */
function isInRangeLong(v: Int64Like | null | undefined): v is Int64 {
  return typeof v === 'object' && v !== null && v.high >>> 0 <= 0x7fffffff;
}

/**
 * StartTimeNs, EndTimeNs and DurationNs. Times decoded from protobuf are written from
 * their two 32-bit words (the per-span BigInts were a visible share of the work); other
 * forms, and out-of-range times with their error, go through nanos.
 */
function writeStartEndDuration(w: RowBinaryWriter, span: Span): void {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (isInRangeLong(start) && isInRangeLong(end)) {
    writeTimeWords(w, start.low, start.high, end.low, end.high);
    return;
  }
  const startNs = nanos(start, 'start_time_unix_nano');
  const endNs = nanos(end, 'end_time_unix_nano');
  w.uint64(startNs);
  w.uint64(endNs);
  w.int64(endNs - startNs);
}

/** StartTimeNs, EndTimeNs and DurationNs of two in-range times given as their 32-bit words. */
export function writeTimeWords(w: RowBinaryWriter, startLow: number, startHigh: number, endLow: number, endHigh: number): void {
  w.uint64Words(startLow, startHigh);
  w.uint64Words(endLow, endHigh);
  const low = (endLow >>> 0) - (startLow >>> 0);
  w.uint64Words(low, (endHigh >>> 0) - (startHigh >>> 0) - (low < 0 ? 1 : 0));
}

/** A traces request → RowBinary `spans` rows, with the validation of traceRequestToRows. */
export function encodeTraceRequest(tenantId: string, request: ExportTraceServiceRequest, initialBytes: number): EncodedItems {
  const out = new ItemWriter(initialBytes);
  for (const rs of request.resourceSpans ?? []) {
    const res = resourceEnvelope(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans ?? []) {
      const env = encodeEnvelope(withScope(res, ss.scope, ss.schemaUrl));
      const write = (w: RowBinaryWriter, span: Span) => writeSpan(w, tenantId, env, span);
      for (const span of ss.spans ?? []) out.item('span', write, span);
    }
  }
  return out.build();
}
