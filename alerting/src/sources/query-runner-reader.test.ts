import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowValue } from './query-runner-reader.js';

describe('windowValue', () => {
  const W = 300_000;
  const STEP = 1_000_000;
  it('takes the step that covers most of the window', () => {
    assert.equal(windowValue([[0, 7]], 900_000, W, STEP), 7, 'the window inside one step');
    // Window (900_000, 1_200_000] crosses the step boundary at 1_000_000: 100_000 vs 200_000.
    assert.equal(
      windowValue(
        [
          [0, 1],
          [1_000_000, 2],
        ],
        1_200_000,
        W,
        STEP,
      ),
      2,
    );
    assert.equal(
      windowValue(
        [
          [0, 1],
          [1_000_000, 2],
        ],
        1_080_000,
        W,
        STEP,
      ),
      1,
    );
    assert.equal(
      windowValue(
        [
          [0, 1],
          [1_000_000, 2],
        ],
        1_150_000,
        W,
        STEP,
      ),
      2,
      'the later on a tie',
    );
  });

  it('falls back to the other step, and is null without data', () => {
    assert.equal(
      windowValue(
        [
          [0, 1],
          [1_000_000, null],
        ],
        1_200_000,
        W,
        STEP,
      ),
      1,
    );
    assert.equal(windowValue([[0, null]], 900_000, W, STEP), null);
    assert.equal(windowValue([], 900_000, W, STEP), null);
  });
});
