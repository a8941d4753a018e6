import type { Sample } from '../values.js';

// Go's container/heap over a slice with a Less function, reproduced so that topk/bottomk pick and
// order tied samples exactly as Prometheus does.

export type Less = (a: Sample, b: Sample) => boolean;

export function heapPush(h: Sample[], x: Sample, less: Less): void {
  h.push(x);
  up(h, h.length - 1, less);
}

export function heapPop(h: Sample[], less: Less): Sample {
  const n = h.length - 1;
  swap(h, 0, n);
  down(h, 0, n, less);
  return h.pop()!;
}

function up(h: Sample[], j: number, less: Less): void {
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(h[j]!, h[i]!)) break;
    swap(h, i, j);
    j = i;
  }
}

function down(h: Sample[], i0: number, n: number, less: Less): void {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    swap(h, i, j);
    i = j;
  }
}

function swap(h: Sample[], i: number, j: number): void {
  const t = h[i]!;
  h[i] = h[j]!;
  h[j] = t;
}

/** Go's sort.Sort(sort.Reverse(h)) for the short slices topk keeps: insertion sort on Less(j, i). */
export function sortReverse(h: Sample[], less: Less): void {
  for (let i = 1; i < h.length; i++) {
    for (let j = i; j > 0 && less(h[j - 1]!, h[j]!); j--) swap(h, j, j - 1);
  }
}

/** vectorByValueHeap.Less: NaN first, then ascending. */
export const byValueLess: Less = (a, b) => Number.isNaN(a.v) || a.v < b.v;
/** vectorByReverseValueHeap.Less: NaN first, then descending. */
export const byReverseValueLess: Less = (a, b) => Number.isNaN(a.v) || a.v > b.v;
