import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { AccessTokens, JWT_AUDIENCE, JWT_ISSUER, looksLikeJwt } from './access-tokens.js';

const SECRET = new TextEncoder().encode('s'.repeat(32));
const USER = '6f1c1a52-8f3e-4a8e-9f55-0b7b8b1c2d3e';
const SESSION = '0b8e8f0a-6c55-4a57-9d0e-1f2a3b4c5d6e';
const CLAIMS = { userId: USER, sessionId: SESSION };

async function signed(
  claims: { aud?: string; iss?: string; exp?: number; sub?: string; sid?: string },
  alg = 'HS256',
  secret = SECRET,
): Promise<string> {
  let jwt = new SignJWT(claims.sid !== undefined ? { sid: claims.sid } : {}).setProtectedHeader({ alg }).setIssuedAt();
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.aud !== undefined) jwt = jwt.setAudience(claims.aud);
  if (claims.iss !== undefined) jwt = jwt.setIssuer(claims.iss);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(secret);
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

test('an issued token verifies to its user and session, carries the configured lifetime and looks like a JWT', async () => {
  const tokens = new AccessTokens(SECRET, 900);
  const issued = await tokens.issue(USER, SESSION);
  assert.equal(issued.expiresIn, 900);
  assert.ok(looksLikeJwt(issued.token));
  assert.deepEqual(await tokens.verify(issued.token), CLAIMS);
  const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  assert.equal((payload.exp as number) - (payload.iat as number), 900);
  assert.equal(payload.aud, JWT_AUDIENCE);
  assert.equal(payload.iss, JWT_ISSUER);
  assert.equal(payload.sid, SESSION);
});

test('expired tokens are refused', async () => {
  let now = Date.now();
  const tokens = new AccessTokens(SECRET, 60, () => now);
  const issued = await tokens.issue(USER, SESSION);
  now += 61_000;
  assert.equal(await tokens.verify(issued.token), null);
});

test('wrong audience, issuer, secret, algorithm, a missing exp, sub or sid, and unsigned tokens are refused', async () => {
  const tokens = new AccessTokens(SECRET, 900);
  const ok = { sub: USER, sid: SESSION, aud: JWT_AUDIENCE, iss: JWT_ISSUER, exp: inAMinute() };
  assert.deepEqual(await tokens.verify(await signed(ok)), CLAIMS, 'the well-formed control token passes');
  const { sid: _sid, ...noSession } = ok;
  assert.equal(await tokens.verify(await signed(noSession)), null, 'no session');
  assert.equal(await tokens.verify(await signed({ ...ok, sid: '' })), null, 'an empty session');
  assert.equal(await tokens.verify(await signed({ ...ok, aud: 'another-api' })), null);
  assert.equal(await tokens.verify(await signed({ ...ok, iss: 'someone-else' })), null);
  assert.equal(await tokens.verify(await signed(ok, 'HS256', new TextEncoder().encode('x'.repeat(32)))), null);
  assert.equal(await tokens.verify(await signed(ok, 'HS512')), null);
  assert.equal(
    await tokens.verify(await signed({ sub: USER, sid: SESSION, aud: JWT_AUDIENCE, iss: JWT_ISSUER })),
    null,
    'no exp',
  );
  assert.equal(
    await tokens.verify(await signed({ sid: SESSION, aud: JWT_AUDIENCE, iss: JWT_ISSUER, exp: inAMinute() })),
    null,
    'no sub',
  );
  const unsecured = new UnsecuredJWT({})
    .setSubject(USER)
    .setAudience(JWT_AUDIENCE)
    .setIssuer(JWT_ISSUER)
    .setExpirationTime(inAMinute())
    .encode();
  assert.equal(await tokens.verify(unsecured), null);
  assert.equal(await tokens.verify('not-a-token'), null);
});

test('a secret shorter than 32 bytes is refused', () => {
  assert.throws(() => new AccessTokens(new Uint8Array(31), 900), /at least 32 bytes/);
});

test('API keys do not look like JWTs', () => {
  assert.equal(looksLikeJwt('tf_abcdefghijklmnopqrstuvwxyz0123456789ABCD'), false);
  assert.equal(looksLikeJwt('a.b.c'), true);
});
