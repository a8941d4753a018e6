import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SecretBox } from './secret-box.js';
import { flowCookie, flowFromCookies, safeReturnPath, type OidcFlow } from './oidc-flow-cookie.js';

test('a sealed secret opens only with its key and for the row it was sealed for', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('client-secret', 'sso-client-secret:t1');
  assert.ok(!sealed.includes('client-secret'));
  assert.notEqual(box.seal('client-secret', 'sso-client-secret:t1'), sealed, 'a fresh IV every time');
  assert.equal(box.open(sealed, 'sso-client-secret:t1'), 'client-secret');
  assert.equal(box.open(sealed, 'sso-client-secret:t2'), null, 'moved to another tenant');
  assert.equal(new SecretBox(randomBytes(32)).open(sealed, 'sso-client-secret:t1'), null, 'another key');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[2]!, 'base64url');
  body[0]! ^= 1;
  assert.equal(
    box.open([parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 'sso-client-secret:t1'),
    null,
  );
  assert.equal(box.open('garbage', 'x'), null);
});

test('the flow cookie: sealed, HttpOnly, SameSite=Lax, expires; a forged or expired one is no flow', () => {
  const box = new SecretBox(randomBytes(32));
  const flow: OidcFlow = {
    tenantId: 'default',
    state: 's',
    nonce: 'n',
    codeVerifier: 'v',
    redirectUri: 'https://tf.example.com/api/v1/auth/oidc/callback',
    returnTo: '/services',
    expiresAt: 2_000,
  };
  const cookie = flowCookie(box, flow, true);
  assert.match(cookie, /^tf_oidc=v1\.[^;]+; Path=\/api\/v1\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  const header = `a=1; ${cookie.split(';')[0]}`;
  assert.deepEqual(flowFromCookies(box, header, 1_000), flow);
  assert.equal(flowFromCookies(box, header, 2_000), null, 'expired');
  assert.equal(flowFromCookies(new SecretBox(randomBytes(32)), header, 1_000), null, 'sealed by another key');
  assert.equal(flowFromCookies(box, 'tf_oidc=v1.a.b.c', 1_000), null);
  assert.equal(flowFromCookies(box, undefined, 1_000), null);
});

test('only a same-origin path is a place to return to', () => {
  assert.equal(safeReturnPath('/traces?service=a'), '/traces?service=a');
  for (const bad of ['//evil.example', '/\\evil', 'https://evil.example', 'services', undefined, ['/a']])
    assert.equal(safeReturnPath(bad), '/');
});
