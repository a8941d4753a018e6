// What the wire readers (span-wire.ts, metric-wire.ts) share: walking protobuf fields with
// protobufjs's Reader, and handing the parts they do not read themselves to protobufjs.
import { isUtf8 } from 'node:buffer';
import { RowBinaryWriter } from '@telemetryflow/clickhouse';
import type { otlpRoot, ProtobufReader } from '@telemetryflow/otlp';

export type Reader = InstanceType<typeof ProtobufReader>;
export type MessageType = ReturnType<typeof otlpRoot.lookupType>;

/** The payload is not in the shape a wire reader takes; the caller decodes it whole. */
export class NotOurShape extends Error {}
export const NOT_OUR_SHAPE = new NotOurShape();

export const LEN = 2;
export const VARINT = 0;
export const I64 = 1;
export const I32 = 5;

/** RowBinary String of a JS string. */
export function stringBytes(s: string): Uint8Array {
  const w = new RowBinaryWriter(s.length * 3 + 10);
  w.string(s);
  return w.bytes();
}

/** Reads a length prefix; the end of that field, which must lie within `limit`. */
export function lengthEnd(r: Reader, limit: number): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > limit) throw NOT_OUR_SHAPE;
  return end;
}

/**
 * Skips a field this reader does not use; a known field number with another wire type is
 * not our shape. `depth` is the message's nesting depth in the whole request, which
 * protobufjs's limit on nested groups counts from.
 */
export function skipUnknown(r: Reader, tag: number, depth: number, ...known: number[]): void {
  if (known.includes(tag >>> 3)) throw NOT_OUR_SHAPE;
  r.skipType(tag & 7, depth);
}

export function readString(r: Reader, at: number): string {
  if (at < 0) return '';
  r.pos = at;
  return r.string();
}

/**
 * ResourceX and ScopeX messages have the same layout: 1 its resource or scope, 2 its
 * repeated children, 3 its schema_url. Where each is (at its length prefix; -1: absent).
 */
export function readGroup(
  r: Reader,
  end: number,
  depth: number,
): { headAt: number; childAts: number[]; schemaUrlAt: number } {
  let headAt = -1;
  let schemaUrlAt = -1;
  const childAts: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const at = r.pos;
    if (tag === ((1 << 3) | LEN)) {
      // protobufjs decodes every copy (a broken earlier one fails the request) and keeps the last.
      if (headAt >= 0) throw NOT_OUR_SHAPE;
      headAt = at;
    } else if (tag === ((2 << 3) | LEN)) childAts.push(at);
    else if (tag === ((3 << 3) | LEN)) schemaUrlAt = at;
    else {
      skipUnknown(r, tag, depth, 1, 2, 3);
      continue;
    }
    r.pos = lengthEnd(r, end);
  }
  if (r.pos !== end) throw NOT_OUR_SHAPE;
  return { headAt, childAts, schemaUrlAt };
}

/**
 * The protobufjs message at `at` (a length prefix), decoded as the whole-request decode
 * would, at the same nesting depth.
 */
export function decodeAt(type: MessageType, r: Reader, at: number, depth: number): unknown {
  r.pos = at;
  const len = r.uint32();
  return type.decode(r, len, undefined, depth);
}

/** Whether buf[at, at + len) is valid UTF-8 (then it decodes and re-encodes to itself). */
export function utf8(buf: Uint8Array, at: number, len: number): boolean {
  for (let i = at; i < at + len; i++) if (buf[i]! >= 0x80) return isUtf8(buf.subarray(at, at + len));
  return true;
}
