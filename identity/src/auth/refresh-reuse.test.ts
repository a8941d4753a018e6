import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refreshStep, type PresentedToken } from './refresh-reuse.js';

const T0 = new Date('2026-12-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const GRACE = 10_000;

const unused: PresentedToken = { usedAt: null, revokedAt: null, expiresAt: at(3_600_000), generation: 3 };
const usedAtT0: PresentedToken = { ...unused, usedAt: T0 };

test('an unused token rotates until it expires', () => {
  assert.equal(refreshStep(unused, 3, at(1_000), GRACE), 'rotate');
  assert.equal(refreshStep(unused, 3, at(3_600_000), GRACE), 'expired');
});

test('a used token presented again within the grace, its successor unused, gets another successor', () => {
  assert.equal(refreshStep(usedAtT0, 4, T0, GRACE), 'grace');
  assert.equal(refreshStep(usedAtT0, 4, at(9_999), GRACE), 'grace');
  assert.equal(refreshStep(usedAtT0, 4, at(-2_000), GRACE), 'grace', "another replica's clock a little behind");
});

test('after the grace, or once its successor was used, a used token counts as reuse', () => {
  assert.equal(refreshStep(usedAtT0, 4, at(10_000), GRACE), 'reused', 'the grace is over');
  assert.equal(refreshStep(usedAtT0, 4, at(-10_000), GRACE), 'reused', 'a clock far off is no excuse');
  assert.equal(refreshStep(usedAtT0, 5, at(1_000), GRACE), 'reused', 'the successor was used');
  assert.equal(refreshStep(usedAtT0, 4, at(1), 0), 'reused', 'no grace configured');
});

test('a revoked token stays revoked, used or not', () => {
  assert.equal(refreshStep({ ...unused, revokedAt: T0 }, 3, at(1), GRACE), 'revoked');
  assert.equal(refreshStep({ ...usedAtT0, revokedAt: T0 }, 4, at(1), GRACE), 'revoked');
});
