// RowBinary rows of (Fingerprint UInt64, times Array(Float64), values Array(Float64),
// stale Array(UInt8)) decoded into typed arrays: the arrays' bytes are copied as they are.
import { endianness } from 'node:os';

/** One stored series' samples in time order: times in ms, values with their bits, stale flags (0|1). */
export interface SampleArrays {
  readonly fp: string;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly stale: Uint8Array;
}

// RowBinary is little-endian; so are typed arrays on every platform Node runs on here.
const NATIVE_LE = endianness() === 'LE';

export function decodeSampleArrays(buf: Buffer): SampleArrays[] {
  const out: SampleArrays[] = [];
  let o = 0;
  const length = (): number => {
    let n = 0;
    let shift = 1;
    for (;;) {
      const b = buf[o++];
      if (b === undefined) throw new Error('RowBinary samples end inside a length');
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  const take = (bytes: number): Buffer => {
    if (o + bytes > buf.length) throw new Error('RowBinary samples end inside a row');
    const part = buf.subarray(o, o + bytes);
    o += bytes;
    return part;
  };
  const floats = (): Float64Array => {
    const n = length();
    const part = take(8 * n);
    const a = new Float64Array(n);
    if (NATIVE_LE) new Uint8Array(a.buffer).set(part);
    else for (let i = 0; i < n; i++) a[i] = part.readDoubleLE(8 * i);
    return a;
  };
  while (o < buf.length) {
    const fp = take(8).readBigUInt64LE(0).toString();
    const ts = floats();
    const vs = floats();
    const stale = Uint8Array.from(take(length()));
    if (vs.length !== ts.length || stale.length !== ts.length) throw new Error('RowBinary samples of unequal lengths');
    out.push({ fp, ts, vs, stale });
  }
  return out;
}
