// A protobuf logs request → RowBinary `logs` rows, read off the wire as span-wire.ts reads
// spans: the usual record is copied field by field from the payload (ids to hex, strings and
// string attribute values byte for byte, times from their words), without protobufjs objects.
//
// The output is encodeLogsRequest's, byte for byte (ingest/test/log-wire.test.ts). Only the
// usual shape is read here; anything else goes the object way:
// - a record with a repeated singular field, an id of another length than 16 / 8 bytes (or
//   empty), a time or observed time of 2⁶³ or more or outside the window, a severity outside
//   0–24, a string that is not valid UTF-8, or an attribute list attribute-wire.ts does not
//   take: that record is decoded by protobufjs and written by writeLog (the same code
//   encodeLogsRequest runs, rejections included);
// - a payload that is not well-formed protobuf, or has a known field with another wire type
//   than its .proto says: transcodeLogsRequest returns undefined, and the caller decodes the
//   whole request (and reports the error) as before.
import type { RowBinaryWriter } from '@telemetryflow/clickhouse';
import { otlpRoot, ProtobufReader, type LogRecord } from '@telemetryflow/otlp';
import {
  readAttribute,
  readValue,
  resetAttributes,
  stringAt,
  VALUE_SLOT,
  valueAt,
  valueLen,
  valueText,
  valueType,
  writeReadAttributes,
} from './attribute-wire.js';
import { encodeEnvelope, ItemWriter, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { ANY_TIME, type TimeWindow } from './fields.js';
import { writeLogColumns, type LogColumnWriter } from './log-columns.js';
import { writeLog } from './log-writer.js';
import { forEachScope } from './envelope-wire.js';
import { I32, I64, LEN, lengthEnd, NOT_OUR_SHAPE, stringBytes, utf8, VARINT, type Reader } from './protobuf-wire.js';

const LOG_RECORD = otlpRoot.lookupType('opentelemetry.proto.logs.v1.LogRecord');
const EMPTY_BYTES = stringBytes('empty');

/**
 * RowBinary `logs` rows of a protobuf ExportLogsServiceRequest, or undefined when the
 * payload must be decoded the object way (see the top of this file).
 */
export function transcodeLogsRequest(
  tenantId: string,
  payload: Uint8Array,
  receivedAtNs: bigint,
  initialBytes: number,
  window: TimeWindow = ANY_TIME,
): EncodedItems | undefined {
  const r = ProtobufReader.create(payload);
  const out = new ItemWriter(initialBytes);
  const received = { low: Number(receivedAtNs & 0xffffffffn), high: Number((receivedAtNs >> 32n) & 0xffffffffn) };
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) {
        const end = lengthEnd(r, r.len);
        forEachScope(r, end, (scoped, _scopeEnd, recordAts) => {
          const env = encodeEnvelope(scoped);
          const context: LogContext = {
            r,
            tenantId,
            tenant: stringBytes(tenantId),
            service: stringBytes(env.serviceName),
            env,
            window,
            receivedAtNs,
            received,
          };
          for (const recordAt of recordAts) {
            context.at = recordAt;
            out.item('log record', writeOneLog, context);
          }
        });
        r.pos = end;
      } else {
        if (tag >>> 3 === 1) throw NOT_OUR_SHAPE;
        r.skipType(tag & 7, 0);
      }
    }
  } catch {
    return undefined;
  }
  return out.build();
}

interface LogContext {
  r: Reader;
  tenantId: string;
  tenant: Uint8Array;
  service: Uint8Array;
  env: EncodedEnvelope;
  window: TimeWindow;
  receivedAtNs: bigint;
  received: { low: number; high: number };
  /** Where the current record's length prefix is. */
  at?: number;
}

function writeOneLog(w: RowBinaryWriter, c: LogContext): void {
  const { r } = c;
  r.pos = c.at!;
  const end = lengthEnd(r, r.len);
  if (!readLog(r, end, c)) {
    r.pos = c.at!;
    const len = r.uint32();
    const record = LOG_RECORD.decode(r, len, undefined, 3) as unknown as LogRecord;
    writeLog(w, c.tenantId, c.env, record, c.receivedAtNs, c.window);
  } else {
    writeLogColumns(w, WIRE_LOG, c);
  }
  r.pos = end;
}

// The record being read: positions of its fields in the payload (-1: absent), and numbers.
let timeLow = 0,
  timeHigh = 0,
  observedLow = 0,
  observedHigh = 0,
  severity = 0,
  dropped = 0,
  flags = 0;
let severityTextAt = -1,
  severityTextLen = 0,
  eventNameAt = -1,
  eventNameLen = 0,
  traceIdAt = -1,
  traceIdLen = 0,
  spanIdAt = -1,
  spanIdLen = 0,
  hasBody = false;

/** Reads the record in [r.pos, end); false when it is not the usual shape. */
function readLog(r: Reader, end: number, c: LogContext): boolean {
  timeLow = timeHigh = observedLow = observedHigh = severity = dropped = flags = 0;
  severityTextAt = eventNameAt = traceIdAt = spanIdAt = -1;
  severityTextLen = eventNameLen = traceIdLen = spanIdLen = 0;
  hasBody = false;
  resetAttributes();
  let seen = 0;
  const buf = r.buf;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
      case 11:
        if (wire !== I64) throw NOT_OUR_SHAPE;
        break;
      case 2:
      case 7:
        if (wire !== VARINT) throw NOT_OUR_SHAPE;
        break;
      case 8:
        if (wire !== I32) throw NOT_OUR_SHAPE;
        break;
      case 3:
      case 5:
      case 6:
      case 9:
      case 10:
      case 12:
        if (wire !== LEN) throw NOT_OUR_SHAPE;
        break;
      default:
        r.skipType(wire, 3);
        continue;
    }
    if (field !== 6) {
      // A singular field given twice: protobufjs keeps the last; leave that to it.
      if (seen & (1 << field)) return false;
      seen |= 1 << field;
    }
    switch (field) {
      case 1:
        timeLow = r.fixed32();
        timeHigh = r.fixed32();
        continue;
      case 11:
        observedLow = r.fixed32();
        observedHigh = r.fixed32();
        continue;
      case 2:
        severity = r.int32();
        continue;
      case 7:
        dropped = r.uint32();
        continue;
      case 8:
        flags = r.fixed32();
        continue;
    }
    const fieldEnd = lengthEnd(r, end);
    const at = r.pos;
    const len = fieldEnd - at;
    switch (field) {
      case 3:
        severityTextAt = at;
        severityTextLen = len;
        break;
      case 12:
        eventNameAt = at;
        eventNameLen = len;
        break;
      case 9:
        traceIdAt = at;
        traceIdLen = len;
        break;
      case 10:
        spanIdAt = at;
        spanIdLen = len;
        break;
      case 5:
        hasBody = true;
        readValue(r, fieldEnd, VALUE_SLOT, 4);
        break;
      case 6:
        if (!readAttribute(r, fieldEnd)) return false;
        break;
    }
    r.pos = fieldEnd;
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  // checkedLogFields: observed 0 is the time received; time 0 is the observed time.
  if (observedHigh >>> 0 > 0x7fffffff || timeHigh >>> 0 > 0x7fffffff) return false;
  if (observedLow === 0 && observedHigh === 0) {
    observedLow = c.received.low;
    observedHigh = c.received.high;
  }
  if (timeLow === 0 && timeHigh === 0) {
    timeLow = observedLow;
    timeHigh = observedHigh;
  }
  return (
    c.window.holdsWords(timeLow, timeHigh) &&
    severity >= 0 &&
    severity <= 24 &&
    (traceIdLen === 0 || traceIdLen === 16) &&
    (spanIdLen === 0 || spanIdLen === 8) &&
    utf8(buf, severityTextAt, severityTextLen) &&
    utf8(buf, eventNameAt, eventNameLen)
  );
}

/** The wire reader's `logs` column writer: writeLog's bytes for the record read by readLog. */
const WIRE_LOG: LogColumnWriter<RowBinaryWriter, LogContext> = {
  tenantId: (w, c) => w.raw(c.tenant),
  times: (w) => {
    w.uint64Words(timeLow, timeHigh);
    w.uint64Words(observedLow, observedHigh);
  },
  traceId: (w, c) => {
    if (traceIdLen === 0) w.varUInt(0);
    else w.hexRange(c.r.buf, traceIdAt, 16);
  },
  spanId: (w, c) => {
    if (spanIdLen === 0) w.varUInt(0);
    else w.hexRange(c.r.buf, spanIdAt, 8);
  },
  flags: (w) => w.uint32(flags),
  severityText: (w, c) => stringAt(w, c.r.buf, severityTextAt, severityTextLen),
  severityNumber: (w) => w.uint8(severity),
  serviceName: (w, c) => w.raw(c.service),
  eventName: (w, c) => stringAt(w, c.r.buf, eventNameAt, eventNameLen),
  body: (w, c) => {
    if (!hasBody) {
      w.varUInt(0);
      w.raw(EMPTY_BYTES);
    } else if (valueAt[VALUE_SLOT]! >= 0) {
      stringAt(w, c.r.buf, valueAt[VALUE_SLOT]!, valueLen[VALUE_SLOT]!);
      w.varUInt(0);
    } else {
      w.string(valueText[VALUE_SLOT]!);
      w.string(valueType[VALUE_SLOT] ?? '');
    }
  },
  envelope: (w, c) => w.raw(c.env.columns),
  attributes: (w, c) => writeReadAttributes(w, c.r.buf),
  droppedAttributesCount: (w) => w.uint32(dropped),
};
