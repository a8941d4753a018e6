import { INSERT_COLUMNS, type InsertColumnType, type InsertTable } from './tables.js';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Encoder for ClickHouse's RowBinary format: the cheapest input format for the engine to
 * parse (measured ~2.7× faster than JSONCompactEachRow for span rows). Values come as the
 * row builders produce them: strings, numbers, booleans, 64-bit integers as decimal
 * strings, maps as plain objects, arrays as arrays, null for Nullable.
 */
export class RowBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Where the next byte goes: remember it before an item, and `rollback` to it if the item is refused. */
  get position(): number {
    return this.pos;
  }

  /** Drops everything written after `position`, including remembered maps that lay there. */
  rollback(position: number): void {
    this.pos = position;
    for (const last of this.lastMap) if (last && last.end > position) last.obj = undefined;
  }

  /** Appends bytes already in RowBinary form (columns encoded once and shared by many rows). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Appends `src[start, end)`, bytes already in RowBinary form. */
  rawRange(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 32) for (let i = start; i < end; i++) buf[p++] = src[i]!;
    else buf.set(src.subarray(start, end), p);
    this.pos += n;
  }

  /** Lowercase hex text of `bytes` as a String value, without building the string. */
  hex(bytes: Uint8Array): void {
    this.hexRange(bytes, 0, bytes.length);
  }

  /** Lowercase hex text of `src[start, start + n)` as a String value. */
  hexRange(src: Uint8Array, start: number, n: number): void {
    this.varUInt(n * 2);
    this.ensure(n * 2);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < start + n; i++) {
      const b = src[i]!;
      buf[p++] = HEX_DIGITS[b >> 4]!;
      buf[p++] = HEX_DIGITS[b & 15]!;
    }
    this.pos = p;
  }

  varUInt(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const n = s.length;
    const max = n * 3;
    this.ensure(max + 10);
    if (n < 64) {
      // Short strings: a JS loop beats a native call per string while they are ASCII.
      const buf = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    if (max < 128) {
      // Length fits one varint byte: write the bytes after a placeholder and fill it in.
      const at = this.pos++;
      const written = this.buf.write(s, this.pos, 'utf8');
      this.buf[at] = written;
      this.pos += written;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varUInt(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  uint8(n: number): void {
    this.ensure(1);
    this.buf[this.pos++] = n & 0xff;
  }

  uint32(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
  }

  int32(n: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(n | 0, this.pos);
    this.pos += 4;
  }

  uint64(v: string | number | bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v)), this.pos);
    this.pos += 8;
  }

  /** The 64 bits high·2³² + low (each word read as unsigned), as a UInt64 or two's-complement Int64. */
  uint64Words(low: number, high: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  int64(v: string | number | bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v)), this.pos);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /**
   * Rows of one request share their resource and scope maps (the same object). For each
   * top-level map column the last map written is remembered with where its bytes are, and
   * when the next row has the same object the bytes are copied instead of re-encoded.
   */
  private readonly lastMap: { obj: object | undefined; start: number; end: number }[] = [];

  map(m: Record<string, string>, column = -1): void {
    const last = column >= 0 ? (this.lastMap[column] ??= { obj: undefined, start: 0, end: 0 }) : undefined;
    if (last && last.obj === m) {
      const len = last.end - last.start;
      this.ensure(len);
      this.buf.copyWithin(this.pos, last.start, last.end);
      this.pos += len;
      return;
    }
    const start = this.pos;
    this.writeMap(m);
    if (last) {
      last.obj = m;
      last.start = start;
      last.end = this.pos;
    }
  }

  private writeMap(m: Record<string, string>): void {
    const keys = Object.keys(m);
    this.varUInt(keys.length);
    for (const k of keys) {
      this.string(k);
      this.string(m[k]!);
    }
  }

  value(type: InsertColumnType, v: unknown, column = -1): void {
    switch (type) {
      case 'String':
        return this.string(v as string);
      case 'UInt8':
      case 'Bool':
        return this.uint8(Number(v));
      case 'UInt32':
        return this.uint32(v as number);
      case 'Int32':
        return this.int32(v as number);
      case 'UInt64':
        return this.uint64(v as string);
      case 'Int64':
        return this.int64(v as string);
      case 'Float64':
        return this.float64(Number(v));
      case 'Nullable(Float64)':
      case 'Nullable(Int64)':
        if (v === null || v === undefined) return this.uint8(1);
        this.uint8(0);
        return type === 'Nullable(Float64)' ? this.float64(Number(v)) : this.int64(v as string);
      case 'Map(String, String)':
        return this.map(v as Record<string, string>, column);
      case 'Array(String)':
      case 'Array(UInt32)':
      case 'Array(UInt64)':
      case 'Array(Float64)':
      case 'Array(Nullable(Int64))':
      case 'Array(Map(String, String))': {
        const items = v as unknown[];
        const inner = type.slice(6, -1) as InsertColumnType;
        this.varUInt(items.length);
        for (const item of items) this.value(inner, item);
        return;
      }
    }
  }

  /** Consecutive column values, without the per-column map cache. */
  columns(types: readonly InsertColumnType[], values: readonly unknown[]): void {
    for (let i = 0; i < types.length; i++) this.value(types[i]!, values[i]);
  }

  row(types: readonly InsertColumnType[], values: readonly unknown[]): void {
    if (values.length !== types.length) throw new Error(`row has ${values.length} values for ${types.length} columns`);
    for (let i = 0; i < types.length; i++) this.value(types[i]!, values[i], i);
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

const TYPES = Object.fromEntries(
  Object.entries(INSERT_COLUMNS).map(([table, cols]) => [table, cols.map(([, type]) => type)]),
) as unknown as Record<InsertTable, readonly InsertColumnType[]>;

/** The value types of `table`'s insert columns, in order. */
export function columnTypes(table: InsertTable): readonly InsertColumnType[] {
  return TYPES[table];
}

/** RowBinary bytes of rows for `table`, columns as in INSERT_COLUMNS[table]. */
export function encodeRowBinary(table: InsertTable, rows: readonly (readonly unknown[])[]): Buffer {
  const w = new RowBinaryWriter(Math.max(1024, rows.length * 512));
  const types = TYPES[table];
  for (const row of rows) w.row(types, row);
  return w.bytes();
}
