import { columnTypes, type RowBinaryWriter } from '@telemetryflow/clickhouse';
import { cleanString, type ExportTraceServiceRequest, type Int64, type Int64Like, type Span } from '@telemetryflow/schemas';
import { encodeEnvelope, ItemWriter, writeAttributes, writeId, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { ANY_TIME, compareWords, resourceEnvelope, spanTimes, uint32, withScope, type TimeWindow } from './fields.js';
import { windowOf, type RowContext } from './row-batch.js';
import { eventAndLinkColumns, kindName, NO_EVENTS_OR_LINKS, statusName } from './spans.js';

const EVENT_AND_LINK_TYPES = columnTypes('spans').slice(-12);

/** One `spans` row as RowBinary: the bytes of encodeRowBinary over spanRow, without the row. */
export function writeSpan(w: RowBinaryWriter, tenantId: string, env: EncodedEnvelope, span: Span, window: TimeWindow = ANY_TIME): void {
  w.string(tenantId);
  writeId(w, span.traceId, 16, 'trace_id', true);
  writeId(w, span.spanId, 8, 'span_id', true);
  writeId(w, span.parentSpanId, 8, 'parent_span_id', false);
  w.string(cleanString(span.traceState));
  w.uint32(uint32(span.flags));
  w.string(env.serviceName);
  w.string(cleanString(span.name));
  w.string(kindName(span));
  writeStartEndDuration(w, span, window);
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
 * Whether a span's times, as 32-bit words, pass spanTimes: the start within the window, the
 * end below 2⁶³ and not before the start.
 */
export function spanTimeWordsValid(startLow: number, startHigh: number, endLow: number, endHigh: number, window: TimeWindow): boolean {
  return window.holdsWords(startLow, startHigh) && endHigh >>> 0 <= 0x7fffffff && compareWords(endLow, endHigh, startLow, startHigh) >= 0;
}

/**
 * StartTimeNs, EndTimeNs and DurationNs. Times decoded from protobuf are written from
 * their two 32-bit words (the per-span BigInts were a visible share of the work); other
 * forms, and times that fail a check, go through spanTimes (with its error).
 */
function writeStartEndDuration(w: RowBinaryWriter, span: Span, window: TimeWindow): void {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (isInRangeLong(start) && isInRangeLong(end) && spanTimeWordsValid(start.low, start.high, end.low, end.high, window)) {
    writeTimeWords(w, start.low, start.high, end.low, end.high);
    return;
  }
  const { startNs, endNs } = spanTimes(start, end, window);
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
export function encodeTraceRequest(tenantId: string, request: ExportTraceServiceRequest, initialBytes: number, context: RowContext = {}): EncodedItems {
  const out = new ItemWriter(initialBytes, context.refused);
  const window = windowOf(context);
  for (const rs of request.resourceSpans ?? []) {
    const res = resourceEnvelope(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans ?? []) {
      const env = encodeEnvelope(withScope(res, ss.scope, ss.schemaUrl));
      const write = (w: RowBinaryWriter, span: Span) => writeSpan(w, tenantId, env, span, window);
      for (const span of ss.spans ?? []) out.item('span', write, span);
    }
  }
  return out.build();
}
