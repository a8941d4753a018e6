// Protobuf written by hand for the wire readers' tests, so that fields can come in any order,
// repeat, or be unknown: what other SDKs and collectors may send, and what protobufjs never writes.
export type Bytes = Buffer;
export function varint(v: number | bigint): Bytes {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}
export const len = (no: number, body: Bytes | string): Bytes => {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
};
export const vint = (no: number, v: number | bigint): Bytes => Buffer.concat([varint(no << 3), varint(v)]);
export const word64 = (v: bigint): Bytes => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
};
export const fixed64 = (no: number, v: bigint): Bytes => Buffer.concat([varint((no << 3) | 1), word64(v)]);
export const doubleBytes = (v: number): Bytes => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
};
export const double = (no: number, v: number): Bytes => Buffer.concat([varint((no << 3) | 1), doubleBytes(v)]);
export const fixed32 = (no: number, v: number): Bytes => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return Buffer.concat([varint((no << 3) | 5), b]);
};
export const msg = (...fields: Bytes[]): Bytes => Buffer.concat(fields);
/** An unknown field of every wire type. */
export const UNKNOWN = [vint(99, 7), fixed64(98, 1n), len(97, 'x'), fixed32(96, 5)];
export const kv = (key: string | Bytes, value?: Bytes): Bytes => msg(len(1, key), ...(value ? [len(2, value)] : []));
export const str = (s: string | Bytes) => len(1, s);
