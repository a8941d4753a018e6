/** Which rows of a fixed-row-height list to render for a scroll position (plus overscan). */
export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 10,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + visible + overscan) };
}

/**
 * The same for rows of different heights: `offsets[i]` is row i's top, `offsets[count]` the
 * total height (see rowOffsets).
 */
export function variableWindow(
  offsets: readonly number[],
  scrollTop: number,
  viewportHeight: number,
  overscan = 10,
): { start: number; end: number } {
  const count = offsets.length - 1;
  let lo = 0;
  let hi = count;
  // The first row whose bottom is below scrollTop.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1]! <= scrollTop) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < count && offsets[end]! < scrollTop + viewportHeight) end++;
  return { start: Math.max(0, lo - overscan), end: Math.min(count, end + overscan) };
}

export function rowOffsets(heights: readonly number[]): number[] {
  const offsets = new Array<number>(heights.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  return offsets;
}
