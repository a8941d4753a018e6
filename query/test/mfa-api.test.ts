// MFA, lockout and admin resets through the API, with real TOTP codes: sign-in steps with their
// challenge tokens and the session cookie at the end, the caller's factors under /me/mfa, a
// tenant's "require MFA", 429 locked_out with Retry-After, and an admin's password and MFA
// resets ending the member's sessions at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import type { SignInStep, TokenPair } from '@telemetryflow/contract';
import { addMembership, createUser } from '@telemetryflow/identity';
import { call, type Json, startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_mfa_api_test_key_default_0001';
const PASSWORD = 'correct horse battery staple';
const dir = tempDir('tf-mfa-api-');
let api: TestApi;
let base: string;
const ids: Record<string, string> = {};
const LOCKOUT = { threshold: 3, baseSeconds: 30, maxSeconds: 120, forgetAfterSeconds: 3600 };

before(async () => {
  api = await startTestApi(
    dir.path,
    KEY,
    async () => {},
    { rateLimits: { loginPerIp: { requests: 10_000, perSeconds: 60 } } },
    { auth: { lockout: { account: LOCKOUT, address: { ...LOCKOUT, threshold: 1000 } } } },
  );
  base = api.server.url;
  for (const [name, role] of [
    ['owner', 'owner'],
    ['admin', 'admin'],
    ['ann', 'viewer'],
    ['bob', 'viewer'],
    ['cy', 'viewer'],
    ['dee', 'viewer'],
    ['lou', 'viewer'],
  ] as const) {
    const user = await createUser(api.cp.dataSource, { email: `${name}@mfa.test`, password: PASSWORD });
    ids[name] = user.id;
    await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role });
  }
});

after(async () => {
  await api?.close();
  dir.remove();
});

/** A user's audit events of one action in tenant `default`, oldest first. */
async function auditOf(userId: string, action: string): Promise<{ Outcome: string; Status: number }[]> {
  await api.server.drainAuditOutbox();
  const rs = await api.ch.query({
    query: `SELECT Outcome, Status FROM audit_events FINAL
             WHERE TenantId = 'default' AND ActorId = {user:String} AND Action = {action:String} ORDER BY Seq`,
    query_params: { user: userId, action },
    format: 'JSONEachRow',
  });
  return rs.json();
}

const totp = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

async function login(name: string, password = PASSWORD): Promise<{ status: number; body: Json; headers: Headers }> {
  return call(base, '/api/v1/auth/login', { method: 'POST', body: { email: `${name}@mfa.test`, password } });
}

async function tokensOf(name: string): Promise<TokenPair> {
  const res = await login(name);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.data.accessToken, `tokens for ${name}: ${JSON.stringify(res.body.data)}`);
  return res.body.data as TokenPair;
}

/** Enrols TOTP through /me/mfa: the secret and the recovery codes. */
async function enrolTotp(token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await call(base, '/api/v1/me/mfa/totp', { key: token, method: 'POST' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const { secret, otpauthUri, qrCodeDataUrl } = started.body.data;
  assert.ok(otpauthUri.startsWith('otpauth://totp/TelemetryFlow:'));
  assert.ok(qrCodeDataUrl.startsWith('data:image/png;base64,'));
  const wrong = await call(base, '/api/v1/me/mfa/totp/confirm', {
    key: token,
    method: 'POST',
    body: { code: '000000' },
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.code, 'invalid_totp_code');
  const confirmed = await call(base, '/api/v1/me/mfa/totp/confirm', {
    key: token,
    method: 'POST',
    body: { code: await totp(secret) },
  });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { secret, recoveryCodes: confirmed.body.data.recoveryCodes };
}

test('TOTP through the API: enrol under /me/mfa, then sign-in asks for a code; the tokens come with the session cookie; a replayed code is refused', async () => {
  const first = await tokensOf('ann');
  const before = await call(base, '/api/v1/me/mfa', { key: first.accessToken });
  assert.deepEqual(before.body.data, { totp: false, recoveryCodesLeft: 0, passkeys: [], required: false });
  const { secret, recoveryCodes } = await enrolTotp(first.accessToken);
  assert.equal(recoveryCodes.length, 10);
  const after = await call(base, '/api/v1/me/mfa', { key: first.accessToken });
  assert.deepEqual(after.body.data, { totp: true, recoveryCodesLeft: 10, passkeys: [], required: false });

  const res = await login('ann');
  assert.equal(res.status, 200);
  const challenge = res.body.data as SignInStep;
  assert.equal(challenge.step, 'mfa');
  assert.deepEqual(challenge.methods, ['totp', 'recovery_code']);
  assert.equal(res.headers.get('set-cookie'), null, 'no session before the second factor');
  assert.equal((await call(base, '/api/v1/me', { key: challenge.challengeToken })).status, 401);

  const code = await totp(secret, 30);
  const done = await call(base, '/api/v1/auth/mfa', {
    method: 'POST',
    body: { challengeToken: challenge.challengeToken, totpCode: code },
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.ok(done.body.data.accessToken);
  assert.match(done.headers.get('set-cookie') ?? '', /HttpOnly/);
  assert.equal((await call(base, '/api/v1/me', { key: done.body.data.accessToken })).status, 200);

  const again = (await login('ann')).body.data as SignInStep;
  const replay = await call(base, '/api/v1/auth/mfa', {
    method: 'POST',
    body: { challengeToken: again.challengeToken, totpCode: code },
  });
  assert.equal(replay.status, 401);
  assert.equal(replay.body.error.code, 'invalid_second_factor');
  const recovered = await call(base, '/api/v1/auth/mfa', {
    method: 'POST',
    body: { challengeToken: again.challengeToken, recoveryCode: recoveryCodes[3] },
  });
  assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
  // Each second-factor step is in the audit log as ann's, the replay as denied.
  const steps = await auditOf(ids.ann!, 'auth.mfa');
  assert.deepEqual(
    steps.map((e) => `${e.Outcome} ${e.Status}`),
    ['success 200', 'denied 401', 'success 200'],
  );

  // New recovery codes and turning TOTP off take the password.
  const signedIn = recovered.body.data.accessToken as string;
  const noPassword = await call(base, '/api/v1/me/mfa/recovery-codes', {
    key: signedIn,
    method: 'POST',
    body: { password: 'wrong' },
  });
  assert.equal(noPassword.status, 403);
  const renewed = await call(base, '/api/v1/me/mfa/recovery-codes', {
    key: signedIn,
    method: 'POST',
    body: { password: PASSWORD },
  });
  assert.equal(renewed.body.data.recoveryCodes.length, 10);
  assert.equal((await call(base, '/api/v1/me/mfa/totp', { key: signedIn, method: 'DELETE', body: {} })).status, 400);
  const off = await call(base, '/api/v1/me/mfa/totp', {
    key: signedIn,
    method: 'DELETE',
    body: { password: PASSWORD },
  });
  assert.equal(off.status, 204, JSON.stringify(off.body));
  assert.deepEqual((await call(base, '/api/v1/me/mfa', { key: signedIn })).body.data, {
    totp: false,
    recoveryCodesLeft: 0,
    passkeys: [],
    required: false,
  });

  // Bad bodies: clear 400s.
  for (const body of [
    { challengeToken: again.challengeToken },
    { challengeToken: again.challengeToken, totpCode: '12345x' },
    { challengeToken: again.challengeToken, totpCode: '123456', recoveryCode: 'abc' },
  ]) {
    const bad = await call(base, '/api/v1/auth/mfa', { method: 'POST', body });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
  }
});

test('a tenant requiring MFA: members without a factor enrol at sign-in (enrolment-only token), then get a session; a viewer cannot change the policy', async () => {
  const admin = await tokensOf('admin');
  const viewer = await tokensOf('bob');
  const refused = await call(base, '/api/v1/tenants/default/security', {
    key: viewer.accessToken,
    method: 'PUT',
    body: { requireMfa: true },
  });
  assert.equal(refused.status, 403);
  const set = await call(base, '/api/v1/tenants/default/security', {
    key: admin.accessToken,
    method: 'PUT',
    body: { requireMfa: true },
  });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  try {
    assert.deepEqual((await call(base, '/api/v1/tenants/default/security', { key: viewer.accessToken })).body.data, {
      requireMfa: true,
    });
    const res = await login('bob');
    const step = res.body.data as SignInStep;
    assert.equal(step.step, 'mfa_enrolment');
    assert.equal((await call(base, '/api/v1/me/mfa', { key: step.challengeToken })).status, 401);
    const enrolment = await call(base, '/api/v1/auth/mfa/totp/enrol', {
      method: 'POST',
      body: { challengeToken: step.challengeToken },
    });
    assert.equal(enrolment.status, 200, JSON.stringify(enrolment.body));
    const confirmed = await call(base, '/api/v1/auth/mfa/totp/confirm', {
      method: 'POST',
      body: { challengeToken: step.challengeToken, code: await totp(enrolment.body.data.secret) },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.data.recoveryCodes.length, 10);
    assert.match(confirmed.headers.get('set-cookie') ?? '', /HttpOnly/);
    const me = await call(base, '/api/v1/me/mfa', { key: confirmed.body.data.accessToken });
    assert.deepEqual(me.body.data, { totp: true, recoveryCodesLeft: 10, passkeys: [], required: true });
  } finally {
    await call(base, '/api/v1/tenants/default/security', {
      key: admin.accessToken,
      method: 'PUT',
      body: { requireMfa: false },
    });
  }
});

test('lockout: repeated wrong passwords → 429 locked_out with Retry-After, even with the right password', async () => {
  for (let i = 0; i < LOCKOUT.threshold; i++) assert.equal((await login('lou', 'wrong password')).status, 401);
  const locked = await login('lou');
  assert.equal(locked.status, 429, JSON.stringify(locked.body));
  assert.equal(locked.body.error.code, 'locked_out');
  assert.equal(locked.headers.get('retry-after'), '30');
  assert.equal(locked.body.error.details.retryAfterSeconds, 30);
  const attempts = await auditOf(ids.lou!, 'auth.login');
  assert.deepEqual(
    attempts.map((e) => `${e.Outcome} ${e.Status}`),
    [...Array.from({ length: LOCKOUT.threshold }, () => 'denied 401'), 'denied 429'],
  );
  // An admin's password reset lifts it.
  const admin = await tokensOf('admin');
  const reset = await call(base, `/api/v1/tenants/default/members/${ids.lou}/password`, {
    key: admin.accessToken,
    method: 'POST',
    body: { temporaryPassword: 'a temporary password' },
  });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.equal((await login('lou', 'a temporary password')).body.data.step, 'password_change');
});

test("an admin's password reset: the member's sessions end at once, the temporary password must be changed at the next sign-in", async () => {
  const cy = await tokensOf('cy');
  const admin = await tokensOf('admin');
  const viewer = await tokensOf('dee');
  const forbidden = await call(base, `/api/v1/tenants/default/members/${ids.cy}/password`, {
    key: viewer.accessToken,
    method: 'POST',
    body: { temporaryPassword: 'a temporary password' },
  });
  assert.equal(forbidden.status, 403);
  const ownerReset = await call(base, `/api/v1/tenants/default/members/${ids.owner}/password`, {
    key: admin.accessToken,
    method: 'POST',
    body: { temporaryPassword: 'a temporary password' },
  });
  assert.equal(ownerReset.status, 403, "only an owner resets an owner's");
  const short = await call(base, `/api/v1/tenants/default/members/${ids.cy}/password`, {
    key: admin.accessToken,
    method: 'POST',
    body: { temporaryPassword: 'short' },
  });
  assert.equal(short.status, 400);

  const reset = await call(base, `/api/v1/tenants/default/members/${ids.cy}/password`, {
    key: admin.accessToken,
    method: 'POST',
    body: { temporaryPassword: 'a temporary password' },
  });
  assert.deepEqual(reset.body.data, { revoked: 1 });
  assert.equal((await call(base, '/api/v1/me', { key: cy.accessToken })).status, 401, 'ended at once');
  assert.equal((await login('cy')).status, 401, 'the old password is gone');
  const step = (await login('cy', 'a temporary password')).body.data as SignInStep;
  assert.equal(step.step, 'password_change');
  const same = await call(base, '/api/v1/auth/password', {
    method: 'POST',
    body: { challengeToken: step.challengeToken, newPassword: 'a temporary password' },
  });
  assert.equal(same.status, 400);
  assert.equal(same.body.error.code, 'password_unchanged');
  const changed = await call(base, '/api/v1/auth/password', {
    method: 'POST',
    body: { challengeToken: step.challengeToken, newPassword: 'my own new password' },
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.ok(changed.body.data.accessToken);
  const fresh = await login('cy', 'my own new password');
  assert.ok(fresh.body.data.accessToken, 'no step any more');
});

test('an admin cannot reset a user who also belongs to a tenant the admin does not administer', async () => {
  const user = await createUser(api.cp.dataSource, { email: 'both@mfa.test', password: PASSWORD });
  await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
  await addMembership(api.cp.dataSource, { userId: user.id, tenantId: 'beta', role: 'owner' });
  const admin = await tokensOf('admin');
  for (const [method, path, body] of [
    ['POST', 'password', { temporaryPassword: 'a temporary password' }],
    ['DELETE', 'mfa', undefined],
  ] as const) {
    const res = await call(base, `/api/v1/tenants/default/members/${user.id}/${path}`, {
      key: admin.accessToken,
      method,
      ...(body ? { body } : {}),
    });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.match(res.body.error.message, /tenants you do not administer/);
  }
  assert.equal(
    (await call(base, '/api/v1/auth/login', { method: 'POST', body: { email: 'both@mfa.test', password: PASSWORD } }))
      .status,
    200,
  );
});

test("an admin's MFA reset removes the member's factors and ends their sessions", async () => {
  const dee = await tokensOf('dee');
  await enrolTotp(dee.accessToken);
  const admin = await tokensOf('admin');
  const reset = await call(base, `/api/v1/tenants/default/members/${ids.dee}/mfa`, {
    key: admin.accessToken,
    method: 'DELETE',
  });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.ok(reset.body.data.revoked >= 1);
  assert.equal((await call(base, '/api/v1/me', { key: dee.accessToken })).status, 401);
  const again = await tokensOf('dee');
  assert.deepEqual((await call(base, '/api/v1/me/mfa', { key: again.accessToken })).body.data, {
    totp: false,
    recoveryCodesLeft: 0,
    passkeys: [],
    required: false,
  });
});

test('passkeys: a registration without its options, or an answer that does not verify, is refused clearly', async () => {
  const { accessToken: token } = await tokensOf('ann');
  const early = await call(base, '/api/v1/me/mfa/passkeys', {
    key: token,
    method: 'POST',
    body: { name: 'key', response: { id: 'x' } },
  });
  assert.equal(early.status, 409);
  assert.equal(early.body.error.code, 'no_passkey_challenge');
  const options = await call(base, '/api/v1/me/mfa/passkeys/options', { key: token, method: 'POST' });
  assert.equal(options.status, 200);
  assert.equal(options.body.data.rp.id, 'localhost', 'the RP ID is the host of TF_PUBLIC_URL (default localhost)');
  assert.ok(options.body.data.challenge.length >= 16);
  const forged = await call(base, '/api/v1/me/mfa/passkeys', {
    key: token,
    method: 'POST',
    body: { name: 'key', response: { id: 'x', rawId: 'x', type: 'public-key', response: {} } },
  });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error.code, 'invalid_passkey');
  // The challenge was spent by that attempt.
  const again = await call(base, '/api/v1/me/mfa/passkeys', {
    key: token,
    method: 'POST',
    body: { name: 'key', response: { id: 'x' } },
  });
  assert.equal(again.body.error.code, 'no_passkey_challenge');
});

test('the new routes are in the OpenAPI document', async () => {
  const doc = (await call(base, '/api/v1/openapi.json')).body;
  for (const [method, path] of [
    ['post', '/api/v1/auth/mfa'],
    ['post', '/api/v1/auth/mfa/passkey-options'],
    ['post', '/api/v1/auth/password'],
    ['post', '/api/v1/auth/mfa/totp/enrol'],
    ['post', '/api/v1/auth/mfa/totp/confirm'],
    ['get', '/api/v1/me/mfa'],
    ['post', '/api/v1/me/mfa/totp'],
    ['post', '/api/v1/me/mfa/totp/confirm'],
    ['delete', '/api/v1/me/mfa/totp'],
    ['post', '/api/v1/me/mfa/recovery-codes'],
    ['post', '/api/v1/me/mfa/passkeys/options'],
    ['post', '/api/v1/me/mfa/passkeys'],
    ['delete', '/api/v1/me/mfa/passkeys/{id}'],
    ['get', '/api/v1/tenants/{tenantId}/security'],
    ['put', '/api/v1/tenants/{tenantId}/security'],
    ['post', '/api/v1/tenants/{tenantId}/members/{userId}/password'],
    ['delete', '/api/v1/tenants/{tenantId}/members/{userId}/mfa'],
  ] as const) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path} documented`);
    assert.ok(op.summary.length > 20, `${method} ${path} has a summary`);
  }
  assert.ok(doc.paths['/api/v1/auth/mfa'].post.requestBody, 'the body schema');
});
