import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowValue } from './query-runner-reader.js';

describe('windowValue', () => {
  const W = 300_000;
  it('takes the window-long step that covers more of the window', () => {
    // Window (1_000_000, 1_300_000]: step 900_000 covers 200_000 of it, step 1_200_000 covers 100_000.
    assert.equal(windowValue([[900_000, 1], [1_200_000, 2]], 1_300_000, W), 1);
    // Window (1_100_000, 1_400_000]: step 900_000 covers 100_000, step 1_200_000 covers 200_000.
    assert.equal(windowValue([[900_000, 1], [1_200_000, 2]], 1_400_000, W), 2);
    assert.equal(windowValue([[900_000, 1], [1_200_000, 2]], 1_350_000, W), 2, 'the later on a tie');
  });

  it('falls back to the other step, and is null without data', () => {
    assert.equal(windowValue([[900_000, 1], [1_200_000, null]], 1_400_000, W), 1);
    assert.equal(windowValue([[900_000, null], [1_200_000, null]], 1_400_000, W), null);
    assert.equal(windowValue([], 1_400_000, W), null);
  });
});
