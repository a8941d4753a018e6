import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearedRefreshCookie, refreshCookie, refreshTokenFromCookies } from './refresh-cookie.js';

test('the cookie is HttpOnly, SameSite=Strict, scoped to the auth routes, and Secure over TLS', () => {
  assert.equal(
    refreshCookie('tfr_abc', 3600, false),
    'tf_refresh=tfr_abc; Path=/api/v1/auth; Max-Age=3600; HttpOnly; SameSite=Strict',
  );
  assert.equal(
    refreshCookie('tfr_abc', 3600, true),
    'tf_refresh=tfr_abc; Path=/api/v1/auth; Max-Age=3600; HttpOnly; SameSite=Strict; Secure',
  );
  assert.equal(clearedRefreshCookie(false), 'tf_refresh=; Path=/api/v1/auth; Max-Age=0; HttpOnly; SameSite=Strict');
});

test('the token is read from a Cookie header among other cookies', () => {
  assert.equal(refreshTokenFromCookies('a=1; tf_refresh=tfr_xyz; b=2'), 'tfr_xyz');
  assert.equal(refreshTokenFromCookies('tf_refresh=tfr_xyz'), 'tfr_xyz');
  assert.equal(refreshTokenFromCookies('not_tf_refresh=1; tf_refresh_old=2'), undefined);
  assert.equal(refreshTokenFromCookies('tf_refresh='), undefined);
  assert.equal(refreshTokenFromCookies(undefined), undefined);
});
