// The attribute list of the item a wire reader is reading (span-wire.ts, log-wire.ts): each
// KeyValue's key and value located in the payload (or converted, for values other than short
// ints, bools, doubles and strings) and written as the two Map columns writeAttributes writes.
// One item at a time: the slots are module state, reused for every item.
import type { RowBinaryWriter } from '@telemetryflow/clickhouse';
import { anyValueToStored, otlpRoot, type AnyValue } from '@telemetryflow/otlp';
import {
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

const ANY_VALUE = otlpRoot.lookupType('opentelemetry.proto.common.v1.AnyValue');

export const MAX_ATTRIBUTES = 64;
/** Slot MAX_ATTRIBUTES: a value outside the list (a log record's body). */
export const VALUE_SLOT = MAX_ATTRIBUTES;

let attributeCount = 0;
const keyAt = new Int32Array(MAX_ATTRIBUTES + 1);
const keyLen = new Int32Array(MAX_ATTRIBUTES + 1);
/** ≥ 0: a string value's bytes at valueAt; -1: the text and type in valueText / valueType. */
export const valueAt = new Int32Array(MAX_ATTRIBUTES + 1);
export const valueLen = new Int32Array(MAX_ATTRIBUTES + 1);
export const valueText: string[] = [];
export const valueType: (string | undefined)[] = [];
const typeBytes = new Map<string, Uint8Array>();

/** Starts the attribute list of the next item. */
export function resetAttributes(): void {
  attributeCount = 0;
}

/** The next KeyValue of the item's list; false when the item must take the object path. */
export function readAttribute(r: Reader, end: number): boolean {
  const i = attributeCount;
  if (i === MAX_ATTRIBUTES) return false;
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
    attributeCount++;
    return true;
  }
  r.pos = vAt;
  const vEnd = lengthEnd(r, end);
  readValue(r, vEnd, i);
  attributeCount++;
  return true;
}

function sameBytes(buf: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
}

/**
 * An AnyValue in [r.pos, end) into slot i: common single-field values read here, the rest by
 * protobufjs (at nesting `depth`: 5 for an attribute's value of a span or log record).
 */
export function readValue(r: Reader, end: number, i: number, depth = 5): void {
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
  const value = ANY_VALUE.decode(r, end - start, undefined, depth) as AnyValue;
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

export function stringAt(w: RowBinaryWriter, buf: Uint8Array, at: number, len: number): void {
  w.varUInt(len);
  if (len > 0) w.rawRange(buf, at, at + len);
}

/** The values and types Map columns, as writeAttributes writes them. */
export function writeReadAttributes(w: RowBinaryWriter, buf: Uint8Array): void {
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
