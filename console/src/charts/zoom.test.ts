import { describe, expect, it } from 'vitest';
import { zoomRange } from './zoom.js';

describe('drag-to-zoom', () => {
  it('reads the dragged span of the time axis, ignoring clicks and sub-second drags', () => {
    expect(zoomRange({ areas: [{ coordRange: [1000.4, 61_000.6] }] })).toEqual([1000, 61_001]);
    expect(zoomRange({ areas: [{ coordRange: [1000, 1500] }] })).toBeNull();
    expect(zoomRange({ areas: [] })).toBeNull();
    expect(zoomRange({})).toBeNull();
  });
});
