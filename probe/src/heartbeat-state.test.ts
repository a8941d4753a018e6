import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heartbeatState } from './heartbeat-state.js';

const M = 60_000;
const base = { intervalMs: 5 * M, graceMs: M, sinceMs: 0 };

describe('heartbeat state', () => {
  it('up within the interval after a beat, late within the grace, down after it', () => {
    const beats = [
      { atMs: 10 * M, ok: true },
      { atMs: 5 * M, ok: true },
    ];
    assert.equal(heartbeatState({ ...base, beats, nowMs: 15 * M }).state, 'up');
    assert.equal(heartbeatState({ ...base, beats, nowMs: 15 * M + 1 }).state, 'late');
    assert.equal(heartbeatState({ ...base, beats, nowMs: 16 * M }).state, 'late');
    assert.deepEqual(heartbeatState({ ...base, beats, nowMs: 16 * M + 1 }), {
      state: 'down',
      lastBeatMs: 10 * M,
      dueAtMs: 15 * M,
    });
  });

  it('pending before the first beat, down when it does not come within interval and grace', () => {
    assert.equal(heartbeatState({ ...base, beats: [], nowMs: 5 * M }).state, 'pending');
    assert.equal(heartbeatState({ ...base, beats: [], nowMs: 6 * M }).state, 'pending');
    assert.equal(heartbeatState({ ...base, beats: [], nowMs: 6 * M + 1 }).state, 'down');
  });

  it('a beat that reports failure is down at once; the next good beat is up again', () => {
    assert.equal(
      heartbeatState({
        ...base,
        beats: [
          { atMs: M, ok: true },
          { atMs: 2 * M, ok: false },
        ],
        nowMs: 2 * M,
      }).state,
      'down',
    );
    assert.equal(
      heartbeatState({
        ...base,
        beats: [
          { atMs: 2 * M, ok: false },
          { atMs: 3 * M, ok: true },
        ],
        nowMs: 3 * M,
      }).state,
      'up',
    );
  });

  it('ignores beats stamped after now', () => {
    assert.equal(
      heartbeatState({
        ...base,
        beats: [
          { atMs: M, ok: true },
          { atMs: 30 * M, ok: true },
        ],
        nowMs: 10 * M,
      }).state,
      'down',
    );
  });
});
