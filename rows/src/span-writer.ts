import { columnTypes, type RowBinaryWriter } from '@telemetryflow/clickhouse';
import {
  cleanString,
  type ExportTraceServiceRequest,
  type Int64,
  type Int64Like,
  type Span,
} from '@telemetryflow/otlp';
import {
  encodeEnvelope,
  ItemWriter,
  writeAttributes,
  writeId,
  type EncodedEnvelope,
  type EncodedItems,
} from './field-writers.js';
import { ANY_TIME, compareWords, resourceEnvelope, spanTimes, uint32, withScope, type TimeWindow } from './fields.js';
import { windowOf, type RowContext } from './row-batch.js';
import { writeSpanColumns, type SpanColumnWriter } from './span-columns.js';
import { eventAndLinkColumns, kindName, NO_EVENTS_OR_LINKS, statusName, type SpanSource } from './spans.js';

const EVENT_AND_LINK_TYPES = columnTypes('spans').slice(-12);

/** The fused path's `spans` column writer: each group's RowBinary, straight from the decoded span. */
const SPAN_BYTES: SpanColumnWriter<RowBinaryWriter, SpanSource<EncodedEnvelope>> = {
  tenantId: (w, s) => w.string(s.tenantId),
  traceId: (w, s) => writeId(w, s.span.traceId, 16, 'trace_id', true),
  spanId: (w, s) => writeId(w, s.span.spanId, 8, 'span_id', true),
  parentSpanId: (w, s) => writeId(w, s.span.parentSpanId, 8, 'parent_span_id', false),
  traceState: (w, s) => w.string(cleanString(s.span.traceState)),
  flags: (w, s) => w.uint32(uint32(s.span.flags)),
  serviceName: (w, s) => w.string(s.env.serviceName),
  name: (w, s) => w.string(cleanString(s.span.name)),
  kind: (w, s) => w.string(kindName(s.span)),
  times: (w, s) => writeStartEndDuration(w, s.span, s.window),
  statusCode: (w, s) => w.string(statusName(s.span)),
  statusMessage: (w, s) => w.string(cleanString(s.span.status?.message)),
  envelope: (w, s) => w.raw(s.env.columns),
  attributes: (w, s) => writeAttributes(w, s.span.attributes),
  droppedAttributesCount: (w, s) => w.uint32(uint32(s.span.droppedAttributesCount)),
  droppedEventsCount: (w, s) => w.uint32(uint32(s.span.droppedEventsCount)),
  droppedLinksCount: (w, s) => w.uint32(uint32(s.span.droppedLinksCount)),
  eventsAndLinks: (w, s) => {
    const eventsAndLinks = eventAndLinkColumns(s.span);
    if (eventsAndLinks === NO_EVENTS_OR_LINKS) w.raw(TWELVE_EMPTY_ARRAYS);
    else w.columns(EVENT_AND_LINK_TYPES, eventsAndLinks);
  },
};

/** The span writeSpan is writing: one object for every call, so a row allocates nothing more. */
const current: SpanSource<EncodedEnvelope> = {
  tenantId: '',
  env: { serviceName: '', columns: new Uint8Array() },
  span: {},
  window: ANY_TIME,
};

/** One `spans` row as RowBinary: the bytes of encodeRowBinary over spanRow, without the row. */
export function writeSpan(
  w: RowBinaryWriter,
  tenantId: string,
  env: EncodedEnvelope,
  span: Span,
  window: TimeWindow = ANY_TIME,
): void {
  current.tenantId = tenantId;
  current.env = env;
  current.span = span;
  current.window = window;
  writeSpanColumns(w, SPAN_BYTES, current);
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
export function spanTimeWordsValid(
  startLow: number,
  startHigh: number,
  endLow: number,
  endHigh: number,
  window: TimeWindow,
): boolean {
  return (
    window.holdsWords(startLow, startHigh) &&
    endHigh >>> 0 <= 0x7fffffff &&
    compareWords(endLow, endHigh, startLow, startHigh) >= 0
  );
}

/**
 * StartTimeNs, EndTimeNs and DurationNs. Times decoded from protobuf are written from
 * their two 32-bit words (the per-span BigInts were a visible share of the work); other
 * forms, and times that fail a check, go through spanTimes (with its error).
 */
function writeStartEndDuration(w: RowBinaryWriter, span: Span, window: TimeWindow): void {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (
    isInRangeLong(start) &&
    isInRangeLong(end) &&
    spanTimeWordsValid(start.low, start.high, end.low, end.high, window)
  ) {
    writeTimeWords(w, start.low, start.high, end.low, end.high);
    return;
  }
  const { startNs, endNs } = spanTimes(start, end, window);
  w.uint64(startNs);
  w.uint64(endNs);
  w.int64(endNs - startNs);
}

/** StartTimeNs, EndTimeNs and DurationNs of two in-range times given as their 32-bit words. */
export function writeTimeWords(
  w: RowBinaryWriter,
  startLow: number,
  startHigh: number,
  endLow: number,
  endHigh: number,
): void {
  w.uint64Words(startLow, startHigh);
  w.uint64Words(endLow, endHigh);
  const low = (endLow >>> 0) - (startLow >>> 0);
  w.uint64Words(low, (endHigh >>> 0) - (startHigh >>> 0) - (low < 0 ? 1 : 0));
}

/** A traces request → RowBinary `spans` rows, with the validation of traceRequestToRows. */
export function encodeTraceRequest(
  tenantId: string,
  request: ExportTraceServiceRequest,
  initialBytes: number,
  context: RowContext = {},
): EncodedItems {
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
