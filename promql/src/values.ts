import type { Labels } from './labels.js';

// Values flowing through evaluation. Timestamps are milliseconds since the epoch.

export interface Point {
  readonly t: number;
  readonly v: number;
}

export interface Series {
  readonly metric: Labels;
  readonly points: Point[];
}

export interface Sample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
}

export type Matrix = Series[];
export type Vector = Sample[];

/** The results a query answers with, as the Prometheus HTTP API names them. */
export type QueryValue =
  | { readonly resultType: 'matrix'; readonly result: Matrix }
  | { readonly resultType: 'vector'; readonly result: Vector }
  | { readonly resultType: 'scalar'; readonly result: { readonly t: number; readonly v: number } }
  | { readonly resultType: 'string'; readonly result: { readonly t: number; readonly v: string } };

// Prometheus marks a series as ended with this NaN bit pattern (value.StaleNaN). It only keeps its
// bits inside Float64Arrays: plain JS arrays may canonicalise NaNs, so sources hand samples over in
// typed arrays and the selectors test them there.
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
scratchWords[0] = 2;
scratchWords[1] = 0x7ff00000;
export const STALE_NAN: number = scratch[0]!;

export function isStaleNaN(values: Float64Array, index: number): boolean {
  const v = values[index]!;
  if (v === v) return false;
  const words = new Uint32Array(values.buffer, values.byteOffset + index * 8, 2);
  return words[0] === 2 && words[1] === 0x7ff00000;
}

/** Writes the stale marker into a typed array slot with its exact bits. */
export function writeStaleNaN(values: Float64Array, index: number): void {
  const words = new Uint32Array(values.buffer, values.byteOffset + index * 8, 2);
  words[0] = 2;
  words[1] = 0x7ff00000;
}
