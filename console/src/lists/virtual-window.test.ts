import { describe, expect, it } from 'vitest';
import { rowOffsets, variableWindow, virtualWindow } from './virtual-window.js';

describe('virtual window', () => {
  it('renders the visible rows plus overscan, clamped to the list', () => {
    expect(virtualWindow(0, 240, 24, 10_000, 5)).toEqual({ start: 0, end: 15 });
    expect(virtualWindow(24_000, 240, 24, 10_000, 5)).toEqual({ start: 995, end: 1015 });
    expect(virtualWindow(239_900, 240, 24, 10_000, 5)).toEqual({ start: 9990, end: 10_000 });
    expect(virtualWindow(0, 240, 24, 3)).toEqual({ start: 0, end: 3 });
  });
});

describe('variable-height window', () => {
  it('finds the rows under the viewport when some rows are expanded', () => {
    const heights = Array.from({ length: 1000 }, (_, i) => (i === 3 ? 240 : 24));
    const offsets = rowOffsets(heights);
    expect(offsets[1000]).toBe(999 * 24 + 240);
    expect(variableWindow(offsets, 0, 100, 0)).toEqual({ start: 0, end: 4 });
    // Row 3 spans 72–312: at 300 it is still partly visible, above rows 4 (312–336) and 5 (336–360).
    expect(variableWindow(offsets, 300, 48, 0)).toEqual({ start: 3, end: 6 });
    expect(variableWindow(offsets, offsets[1000]! - 24, 24, 2)).toEqual({ start: 997, end: 1000 });
  });
});
