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
import {
  anyValueToStored,
  otlpRoot,
  ProtobufReader,
  type AnyValue,
  type InstrumentationScope,
  type Resource,
  type Span,
} from '@telemetryflow/otlp';
import { encodeEnvelope, ItemWriter, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { ANY_TIME, resourceEnvelope, withScope, type TimeWindow } from './fields.js';
import {
  decodeAt,
  I32,
  I64,
  LEN,
  lengthEnd,
  NOT_OUR_SHAPE,
  readGroup,
  readString,
  skipUnknown,
  stringBytes,
  utf8,
  VARINT,
  type Reader,
} from './protobuf-wire.js';
import { writeSpanColumns, type SpanColumnWriter } from './span-columns.js';
import { spanTimeWordsValid, TWELVE_EMPTY_ARRAYS, writeSpan, writeTimeWords } from './span-writer.js';

const RESOURCE = otlpRoot.lookupType('opentelemetry.proto.resource.v1.Resource');
const SCOPE = otlpRoot.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');
const SPAN = otlpRoot.lookupType('opentelemetry.proto.trace.v1.Span');
const ANY_VALUE = otlpRoot.lookupType('opentelemetry.proto.common.v1.AnyValue');

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
  const group = readGroup(r, end, 1);
  const resource = group.headAt < 0 ? undefined : (decodeAt(RESOURCE, r, group.headAt, 2) as Resource);
  const res = resourceEnvelope(resource, readString(r, group.schemaUrlAt));
  for (const at of group.childAts) {
    r.pos = at;
    const scopeEnd = lengthEnd(r, end);
    scopeSpans(r, scopeEnd, out, tenantId, res, window);
  }
}

function scopeSpans(
  r: Reader,
  end: number,
  out: ItemWriter,
  tenantId: string,
  res: ReturnType<typeof resourceEnvelope>,
  window: TimeWindow,
): void {
  const group = readGroup(r, end, 2);
  const scope = group.headAt < 0 ? undefined : (decodeAt(SCOPE, r, group.headAt, 3) as InstrumentationScope);
  const env = encodeEnvelope(withScope(res, scope, readString(r, group.schemaUrlAt)));
  const context: SpanContext = {
    r,
    tenantId,
    tenant: stringBytes(tenantId),
    service: stringBytes(env.serviceName),
    env,
    window,
  };
  for (const at of group.childAts) {
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
const MAX_ATTRIBUTES = 64;
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
let attributeCount = 0;
const keyAt = new Int32Array(MAX_ATTRIBUTES);
const keyLen = new Int32Array(MAX_ATTRIBUTES);
/** ≥ 0: a string value's bytes at valueAt; -1: the text and type in valueText / valueType. */
const valueAt = new Int32Array(MAX_ATTRIBUTES);
const valueLen = new Int32Array(MAX_ATTRIBUTES);
const valueText: string[] = [];
const valueType: (string | undefined)[] = [];
const typeBytes = new Map<string, Uint8Array>();

/** Reads the span in [r.pos, end) into the fields above; false when it is not the usual shape. */
function readSpan(r: Reader, end: number, window: TimeWindow): boolean {
  traceIdAt = spanIdAt = parentAt = traceStateAt = nameAt = statusMessageAt = -1;
  traceIdLen = spanIdLen = parentLen = traceStateLen = nameLen = statusMessageLen = 0;
  kind = statusCode = flags = droppedAttributes = droppedEvents = droppedLinks = 0;
  startLow = startHigh = endLow = endHigh = 0;
  attributeCount = 0;
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
        if (attributeCount === MAX_ATTRIBUTES || !readAttribute(r, fieldEnd, attributeCount)) return false;
        attributeCount++;
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

/** One KeyValue into slot i; false when the span must take the object path. */
function readAttribute(r: Reader, end: number, i: number): boolean {
  const buf = r.buf;
  let kAt = -1;
  let kLen = 0;
  let vAt = -1;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) {
      if (kAt >= 0) return false;
      const fieldEnd = lengthEnd(r, end);
      kAt = r.pos;
      kLen = fieldEnd - kAt;
      r.pos = fieldEnd;
    } else if (tag === ((2 << 3) | LEN)) {
      if (vAt >= 0) return false;
      vAt = r.pos;
      r.pos = lengthEnd(r, end);
    } else skipUnknown(r, tag, 4, 1, 2);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  if (kAt < 0) kAt = end;
  // The object path keeps insertion order only for keys that are not integer-like and
  // not repeated (see writeAttributes).
  if (kLen > 0 && buf[kAt]! >= 0x30 && buf[kAt]! <= 0x39) return false;
  if (!utf8(buf, kAt, kLen)) return false;
  for (let j = 0; j < i; j++) if (keyLen[j] === kLen && sameBytes(buf, keyAt[j]!, kAt, kLen)) return false;
  keyAt[i] = kAt;
  keyLen[i] = kLen;
  if (vAt < 0) {
    valueAt[i] = -1;
    valueText[i] = '';
    valueType[i] = 'empty';
    return true;
  }
  r.pos = vAt;
  const vEnd = lengthEnd(r, end);
  readValue(r, vEnd, i);
  return true;
}

function sameBytes(buf: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
}

/** An AnyValue in [r.pos, end) into slot i: common single-field values read here, the rest by protobufjs. */
function readValue(r: Reader, end: number, i: number): void {
  const start = r.pos;
  const buf = r.buf;
  if (start < end) {
    const tag = buf[start]!;
    r.pos = start + 1;
    if (tag === ((1 << 3) | LEN)) {
      const fieldEnd = lengthEnd(r, end);
      if (fieldEnd === end && utf8(buf, r.pos, fieldEnd - r.pos)) {
        valueAt[i] = r.pos;
        valueLen[i] = fieldEnd - r.pos;
        return;
      }
    } else if (
      tag === ((3 << 3) | VARINT) &&
      end > r.pos &&
      end - r.pos <= 4 &&
      buf[end - 1]! < 0x80 &&
      shortVarint(buf, r.pos, end)
    ) {
      valueAt[i] = -1;
      valueText[i] = String(r.uint32());
      valueType[i] = 'int';
      return;
    } else if (tag === ((2 << 3) | VARINT) && end - r.pos === 1 && buf[r.pos]! < 0x80) {
      valueAt[i] = -1;
      valueText[i] = buf[r.pos] ? 'true' : 'false';
      valueType[i] = 'bool';
      return;
    } else if (tag === ((4 << 3) | I64) && end - r.pos === 8) {
      valueAt[i] = -1;
      valueText[i] = String(r.double());
      valueType[i] = 'double';
      return;
    }
  }
  r.pos = start;
  const value = ANY_VALUE.decode(r, end - start, undefined, 5) as AnyValue;
  const [text, type] = anyValueToStored(value);
  valueAt[i] = -1;
  valueText[i] = text;
  valueType[i] = type;
}

/** A varint in [at, end) whose only byte below 0x80 is its last: one well-formed value under 2²⁸. */
function shortVarint(buf: Uint8Array, at: number, end: number): boolean {
  for (let k = at; k < end - 1; k++) if (buf[k]! < 0x80) return false;
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

function stringAt(w: RowBinaryWriter, buf: Uint8Array, at: number, len: number): void {
  w.varUInt(len);
  if (len > 0) w.rawRange(buf, at, at + len);
}

/** The values and types Map columns, as writeAttributes writes them. */
function writeReadAttributes(w: RowBinaryWriter, buf: Uint8Array): void {
  const n = attributeCount;
  w.varUInt(n);
  let typed = 0;
  for (let i = 0; i < n; i++) {
    stringAt(w, buf, keyAt[i]!, keyLen[i]!);
    if (valueAt[i]! >= 0) stringAt(w, buf, valueAt[i]!, valueLen[i]!);
    else {
      w.string(valueText[i]!);
      if (valueType[i] !== undefined) typed++;
    }
  }
  w.varUInt(typed);
  if (typed === 0) return;
  for (let i = 0; i < n; i++) {
    const type = valueAt[i]! >= 0 ? undefined : valueType[i];
    if (type === undefined) continue;
    stringAt(w, buf, keyAt[i]!, keyLen[i]!);
    let bytes = typeBytes.get(type);
    if (!bytes) typeBytes.set(type, (bytes = stringBytes(type)));
    w.raw(bytes);
  }
}
