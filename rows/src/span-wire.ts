// A protobuf traces request → RowBinary `spans` rows, read off the wire. Decoding a request
// into protobufjs objects and writing them out was most of a decoder thread's time (and
// most of its garbage): 30,000 objects per 1,000 spans, read once. Here the usual span is
// copied field by field from the payload: ids to hex, strings byte for byte (they are
// already length-prefixed UTF-8, which is RowBinary's String), times from their words.
//
// The output is encodeTraceRequest's, byte for byte (ingest/test/span-wire.test.ts). To
// keep that simple, only the usual shape is read here; anything else goes the object way:
// - a span with events or links, a repeated singular field, an id that fails validation,
//   a start outside the request's time window, an end before the start, a string that is
//   not valid UTF-8, a key that starts with a digit or repeats, more than 64 attributes:
//   that span is decoded by protobufjs and written by writeSpan (the same code
//   encodeTraceRequest runs, rejections included);
// - an attribute value other than a short int, bool, double or string: that value is
//   decoded by protobufjs and converted by anyValueToStored;
// - a payload that is not well-formed protobuf, or has a known field with another wire
//   type than its .proto says: transcodeTraceRequest returns undefined, and the caller
//   decodes the whole request (and reports the error) as before.
import type { RowBinaryWriter } from '@telemetryflow/clickhouse';
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from '@telemetryflow/contract';
import { otlpRoot, ProtobufReader, type Span } from '@telemetryflow/otlp';
import { encodeEnvelope, ItemWriter, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { ANY_TIME, type TimeWindow } from './fields.js';
import {
  decodeAt,
  I32,
  I64,
  LEN,
  lengthEnd,
  NOT_OUR_SHAPE,
  skipUnknown,
  stringBytes,
  utf8,
  VARINT,
  type Reader,
} from './protobuf-wire.js';
import { readAttribute, resetAttributes, stringAt, writeReadAttributes } from './attribute-wire.js';
import { writeSpanColumns, type SpanColumnWriter } from './span-columns.js';
import { forEachScope, type ScopeEnvelope } from './envelope-wire.js';
import { spanTimeWordsValid, TWELVE_EMPTY_ARRAYS, writeSpan, writeTimeWords } from './span-writer.js';

const SPAN = otlpRoot.lookupType('opentelemetry.proto.trace.v1.Span');

/**
 * RowBinary `spans` rows of a protobuf ExportTraceServiceRequest, or undefined when the
 * payload must be decoded the object way (see the top of this file).
 */
export function transcodeTraceRequest(
  tenantId: string,
  payload: Uint8Array,
  initialBytes: number,
  window: TimeWindow = ANY_TIME,
): EncodedItems | undefined {
  const r = ProtobufReader.create(payload);
  const out = new ItemWriter(initialBytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        const end = lengthEnd(r, r.len);
        resourceSpans(r, end, out, tenantId, window);
        r.pos = end;
      } else skipUnknown(r, tag, 0, 1);
    }
  } catch {
    // NotOurShape, or protobufjs's reader refusing the bytes (RangeError, invalid wire type).
    return undefined;
  }
  return out.build();
}

const KIND_BYTES = SPAN_KIND_NAMES.map(stringBytes);
const STATUS_BYTES = STATUS_CODE_NAMES.map(stringBytes);

function resourceSpans(r: Reader, end: number, out: ItemWriter, tenantId: string, window: TimeWindow): void {
  forEachScope(r, end, (scoped, _scopeEnd, spanAts) => scopeSpans(r, spanAts, out, tenantId, scoped, window));
}

function scopeSpans(
  r: Reader,
  spanAts: readonly number[],
  out: ItemWriter,
  tenantId: string,
  scoped: ScopeEnvelope,
  window: TimeWindow,
): void {
  const env = encodeEnvelope(scoped);
  const context: SpanContext = {
    r,
    tenantId,
    tenant: stringBytes(tenantId),
    service: stringBytes(env.serviceName),
    env,
    window,
  };
  for (const at of spanAts) {
    context.at = at;
    out.item('span', writeOneSpan, context);
  }
}

interface SpanContext {
  r: Reader;
  tenantId: string;
  tenant: Uint8Array;
  service: Uint8Array;
  env: EncodedEnvelope;
  window: TimeWindow;
  /** Where the current span's length prefix is. */
  at?: number;
}

function writeOneSpan(w: RowBinaryWriter, c: SpanContext): void {
  const { r } = c;
  r.pos = c.at!;
  const end = lengthEnd(r, r.len);
  if (!readSpan(r, end, c.window)) {
    const span = decodeAt(SPAN, r, c.at!, 3) as Span;
    writeSpan(w, c.tenantId, c.env, span, c.window);
  } else {
    writeSpanColumns(w, WIRE_SPAN, c);
  }
  r.pos = end;
}

// The span being read: positions of its fields in the payload (-1: absent), and numbers.
let traceIdAt = -1,
  traceIdLen = 0,
  spanIdAt = -1,
  spanIdLen = 0,
  parentAt = -1,
  parentLen = 0;
let traceStateAt = -1,
  traceStateLen = 0,
  nameAt = -1,
  nameLen = 0,
  statusMessageAt = -1,
  statusMessageLen = 0;
let kind = 0,
  statusCode = 0,
  flags = 0,
  droppedAttributes = 0,
  droppedEvents = 0,
  droppedLinks = 0;
let startLow = 0,
  startHigh = 0,
  endLow = 0,
  endHigh = 0;

/** Reads the span in [r.pos, end) into the fields above; false when it is not the usual shape. */
function readSpan(r: Reader, end: number, window: TimeWindow): boolean {
  traceIdAt = spanIdAt = parentAt = traceStateAt = nameAt = statusMessageAt = -1;
  traceIdLen = spanIdLen = parentLen = traceStateLen = nameLen = statusMessageLen = 0;
  kind = statusCode = flags = droppedAttributes = droppedEvents = droppedLinks = 0;
  startLow = startHigh = endLow = endHigh = 0;
  resetAttributes();
  let seen = 0;
  const buf = r.buf;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 9:
      case 11:
      case 13:
      case 15:
        if (wire !== LEN) throw NOT_OUR_SHAPE;
        break;
      case 6:
      case 10:
      case 12:
      case 14:
        if (wire !== VARINT) throw NOT_OUR_SHAPE;
        break;
      case 7:
      case 8:
        if (wire !== I64) throw NOT_OUR_SHAPE;
        break;
      case 16:
        if (wire !== I32) throw NOT_OUR_SHAPE;
        break;
      default:
        r.skipType(wire, 3);
        continue;
    }
    if (field !== 9) {
      // A singular field given twice: protobufjs keeps the last; leave that to it.
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
    }
    switch (field) {
      case 6:
        kind = r.int32();
        continue;
      case 10:
        droppedAttributes = r.uint32();
        continue;
      case 12:
        droppedEvents = r.uint32();
        continue;
      case 14:
        droppedLinks = r.uint32();
        continue;
      case 7:
        startLow = r.fixed32();
        startHigh = r.fixed32();
        continue;
      case 8:
        endLow = r.fixed32();
        endHigh = r.fixed32();
        continue;
      case 16:
        flags = r.fixed32();
        continue;
      case 11:
      case 13:
        return false;
    }
    const fieldEnd = lengthEnd(r, end);
    const at = r.pos;
    const len = fieldEnd - at;
    switch (field) {
      case 1:
        traceIdAt = at;
        traceIdLen = len;
        break;
      case 2:
        spanIdAt = at;
        spanIdLen = len;
        break;
      case 3:
        traceStateAt = at;
        traceStateLen = len;
        break;
      case 4:
        parentAt = at;
        parentLen = len;
        break;
      case 5:
        nameAt = at;
        nameLen = len;
        break;
      case 9:
        if (!readAttribute(r, fieldEnd)) return false;
        break;
      case 15:
        if (!readStatus(r, fieldEnd)) return false;
        break;
    }
    r.pos = fieldEnd;
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  return (
    validId(buf, traceIdAt, traceIdLen, 16) &&
    validId(buf, spanIdAt, spanIdLen, 8) &&
    (parentLen === 0 || parentLen === 8) &&
    spanTimeWordsValid(startLow, startHigh, endLow, endHigh, window) &&
    utf8(buf, traceStateAt, traceStateLen) &&
    utf8(buf, nameAt, nameLen) &&
    utf8(buf, statusMessageAt, statusMessageLen)
  );
}

/** An id the object path would take: `bytes` long and not all zeros. */
function validId(buf: Uint8Array, at: number, len: number, bytes: number): boolean {
  if (len !== bytes) return false;
  for (let i = at; i < at + len; i++) if (buf[i] !== 0) return true;
  return false;
}

function readStatus(r: Reader, end: number): boolean {
  let seen = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) {
      if (seen & 1) return false;
      seen |= 1;
      const fieldEnd = lengthEnd(r, end);
      statusMessageAt = r.pos;
      statusMessageLen = fieldEnd - r.pos;
      r.pos = fieldEnd;
    } else if (tag === ((3 << 3) | VARINT)) {
      if (seen & 2) return false;
      seen |= 2;
      statusCode = r.int32();
    } else skipUnknown(r, tag, 4, 2, 3);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  return true;
}

/** The wire reader's `spans` column writer: writeSpan's bytes for the span read by readSpan. */
const WIRE_SPAN: SpanColumnWriter<RowBinaryWriter, SpanContext> = {
  tenantId: (w, c) => w.raw(c.tenant),
  traceId: (w, c) => w.hexRange(c.r.buf, traceIdAt, 16),
  spanId: (w, c) => w.hexRange(c.r.buf, spanIdAt, 8),
  parentSpanId: (w, c) => {
    if (parentLen === 0) w.varUInt(0);
    else w.hexRange(c.r.buf, parentAt, 8);
  },
  traceState: (w, c) => stringAt(w, c.r.buf, traceStateAt, traceStateLen),
  flags: (w) => w.uint32(flags),
  serviceName: (w, c) => w.raw(c.service),
  name: (w, c) => stringAt(w, c.r.buf, nameAt, nameLen),
  kind: (w) => w.raw(KIND_BYTES[kind] ?? KIND_BYTES[0]!),
  times: (w) => writeTimeWords(w, startLow, startHigh, endLow, endHigh),
  statusCode: (w) => w.raw(STATUS_BYTES[statusCode] ?? STATUS_BYTES[0]!),
  statusMessage: (w, c) => stringAt(w, c.r.buf, statusMessageAt, statusMessageLen),
  envelope: (w, c) => w.raw(c.env.columns),
  attributes: (w, c) => writeReadAttributes(w, c.r.buf),
  droppedAttributesCount: (w) => w.uint32(droppedAttributes),
  droppedEventsCount: (w) => w.uint32(droppedEvents),
  droppedLinksCount: (w) => w.uint32(droppedLinks),
  eventsAndLinks: (w) => w.raw(TWELVE_EMPTY_ARRAYS),
};
