import { describe, expect, it } from 'vitest';
import { cellsOf, moveBy, newPanelLayout, renderParts, resizeBy } from './grid-layout.js';

describe('dashboard grid', () => {
  it('moves and resizes by cells inside the 24 columns', () => {
    expect(moveBy({ x: 2, y: 3, w: 12, h: 8 }, 20, -10)).toEqual({ x: 12, y: 0, w: 12, h: 8 });
    expect(moveBy({ x: 2, y: 3, w: 12, h: 8 }, -5, 2)).toEqual({ x: 0, y: 5, w: 12, h: 8 });
    expect(resizeBy({ x: 20, y: 0, w: 2, h: 2 }, 10, -5)).toEqual({ x: 20, y: 0, w: 4, h: 1 });
  });

  it('asks for the first screen row by row (at most three requests), then everything below at once', () => {
    const at = (y: number, x = 0) => ({ layout: { x, y, w: 6, h: 4 } });
    // The built-in Service overview: stats at 0, charts at 4 and 12, a table at 20, traces at 28.
    const overview = [
      at(0),
      at(0, 6),
      at(0, 12),
      at(0, 18),
      at(4),
      at(4, 12),
      at(12),
      at(12, 12),
      at(20),
      at(28),
      at(28, 12),
    ];
    expect(renderParts(overview, 19)).toEqual([
      [0, 1, 2, 3],
      [4, 5],
      [6, 7],
      [8, 9, 10],
    ]);
    expect(renderParts(overview, 30)).toEqual([
      [0, 1, 2, 3],
      [4, 5],
      [6, 7, 8, 9, 10],
    ]);
    expect(renderParts(overview, 3)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7, 8, 9, 10],
    ]);
    // Panels listed out of layout order keep their indexes; a screen holding all: no part below.
    expect(renderParts([at(8), at(0)], 40)).toEqual([[1], [0]]);
    expect(renderParts([], 20)).toEqual([]);
  });

  it('turns a pointer drag into cells', () => {
    expect(cellsOf(125, 80, 1200)).toEqual({ dx: 3, dy: 2 });
  });

  it('places a new panel beside the last one when it fits, else below everything', () => {
    expect(newPanelLayout([])).toEqual({ x: 0, y: 0, w: 12, h: 8 });
    expect(newPanelLayout([{ layout: { x: 0, y: 0, w: 12, h: 8 } }])).toEqual({ x: 12, y: 0, w: 12, h: 8 });
    expect(newPanelLayout([{ layout: { x: 0, y: 0, w: 12, h: 8 } }, { layout: { x: 12, y: 0, w: 12, h: 8 } }])).toEqual(
      { x: 0, y: 8, w: 12, h: 8 },
    );
  });
});
