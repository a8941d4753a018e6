import { describe, expect, it } from 'vitest';
import { cellsOf, moveBy, newPanelLayout, resizeBy } from './grid-layout.js';

describe('dashboard grid', () => {
  it('moves and resizes by cells inside the 24 columns', () => {
    expect(moveBy({ x: 2, y: 3, w: 12, h: 8 }, 20, -10)).toEqual({ x: 12, y: 0, w: 12, h: 8 });
    expect(moveBy({ x: 2, y: 3, w: 12, h: 8 }, -5, 2)).toEqual({ x: 0, y: 5, w: 12, h: 8 });
    expect(resizeBy({ x: 20, y: 0, w: 2, h: 2 }, 10, -5)).toEqual({ x: 20, y: 0, w: 4, h: 1 });
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
