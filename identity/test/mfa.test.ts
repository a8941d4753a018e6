// Second factors and sign-in steps against a real Postgres, with real TOTP codes from otplib:
// enrolment and confirmation, a code accepted once, recovery codes each once, single-use
// challenge tokens, a tenant that requires MFA, the lockout shared by two replicas.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { isSignInStep, type SignInResult, type SignInStep } from '@telemetryflow/contract';
import { addMembership, createTenant, createUser, openControlPlane, type ControlPlane } from '../src/index.js';
import { LoginLockout } from '../src/auth/login-lockout.js';
import { LoginChallenges } from '../src/auth/login-challenges.js';
import { createTestDatabase, tempDir, type TestDatabase } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
let db: TestDatabase;
let cp: ControlPlane;
const dir = tempDir('tf-mfa-');

before(async () => {
  db = await createTestDatabase();
  cp = await openControlPlane({ databaseUrl: db.url, dataDir: dir.path, bootstrap: {} });
});
after(async () => {
  await cp?.close();
  await db.drop();
  dir.remove();
});

function step(r: SignInResult, expected: SignInStep['step']): SignInStep {
  assert.ok(isSignInStep(r), `expected step ${expected}, got tokens`);
  assert.equal(r.step, expected);
  return r;
}

function tokens(r: SignInResult) {
  assert.ok(!isSignInStep(r), `expected tokens, got step ${isSignInStep(r) ? r.step : ''}`);
  return r;
}

const code = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

async function userWithTotp(email: string): Promise<{ id: string; secret: string; recoveryCodes: string[] }> {
  const user = await createUser(cp.dataSource, { email, password: PASSWORD });
  await addMembership(cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
  const enrolment = await cp.factors.startTotp(user.id, email);
  const recoveryCodes = await cp.factors.confirmTotp(user.id, await code(enrolment.secret));
  return { id: user.id, secret: enrolment.secret, recoveryCodes };
}

test('TOTP enrolment: otpauth URI and QR code, secret encrypted at rest, active only once confirmed with a valid code', async () => {
  const user = await createUser(cp.dataSource, { email: 'tina@mfa.test', password: PASSWORD });
  const enrolment = await cp.factors.startTotp(user.id, 'tina@mfa.test');
  const uri = new URL(enrolment.otpauthUri);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), enrolment.secret);
  assert.equal(uri.searchParams.get('issuer'), 'TelemetryFlow');
  assert.match(enrolment.qrCodeDataUrl, /^data:image\/png;base64,[A-Za-z0-9+/=]{200,}$/);
  const [row] = await cp.dataSource.query(`SELECT secret_enc FROM user_totp WHERE user_id = $1`, [user.id]);
  assert.ok(!row.secret_enc.includes(enrolment.secret), 'not stored in the clear');
  assert.match(row.secret_enc, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);

  // Not confirmed: the password alone signs in.
  tokens(await cp.signIn.password('tina@mfa.test', PASSWORD, {}));
  assert.deepEqual(await cp.factors.methods(user.id), []);
  await assert.rejects(cp.factors.confirmTotp(user.id, '000000'), /wrong code/);
  const recovery = await cp.factors.confirmTotp(user.id, await code(enrolment.secret));
  assert.equal(recovery.length, 10);
  assert.equal(new Set(recovery).size, 10);
  for (const c of recovery) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
  assert.deepEqual(await cp.factors.methods(user.id), ['totp', 'recovery_code']);
  const [stored] = await cp.dataSource.query(
    `SELECT count(*)::int AS n, bool_and(code_hash ~ '^[0-9a-f]{64}$') AS hashed FROM user_recovery_codes WHERE user_id = $1`,
    [user.id],
  );
  assert.deepEqual(stored, { n: 10, hashed: true });
  await assert.rejects(cp.factors.startTotp(user.id, 'tina@mfa.test'), /already on/);
});

test('sign-in with TOTP: password → challenge → tokens; the same code is refused the second time; the challenge is single-use and no session', async () => {
  const { secret } = await userWithTotp('tom@mfa.test');
  const first = step(await cp.signIn.password('tom@mfa.test', PASSWORD, { address: '10.1.0.1' }), 'mfa');
  assert.deepEqual(first.methods, ['totp', 'recovery_code']);
  assert.equal(first.expiresIn, 300);
  assert.equal(await cp.resolveCaller(first.challengeToken), null, 'a challenge token is no access token');

  const totpCode = await code(secret, 30); // the next step's code: the enrolment used this one
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: first.challengeToken, totpCode: '123456' }, '10.1.0.1'),
    /wrong/,
  );
  const pair = tokens(
    await cp.signIn.verifySecondFactor({ challengeToken: first.challengeToken, totpCode }, '10.1.0.1'),
  );
  assert.ok((await cp.resolveCaller(pair.accessToken))?.userId);
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: first.challengeToken, totpCode }, '10.1.0.1'),
    (err: { code?: string }) => err.code === 'challenge_invalid',
    'a spent challenge',
  );

  // The same code in a new sign-in: replay refused.
  const second = step(await cp.signIn.password('tom@mfa.test', PASSWORD, {}), 'mfa');
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: second.challengeToken, totpCode }, undefined),
    (err: { code?: string }) => err.code === 'invalid_second_factor',
  );
});

test('recovery codes: each works once; regenerated codes replace the old ones', async () => {
  const { id, recoveryCodes } = await userWithTotp('rita@mfa.test');
  const signIn = async () => step(await cp.signIn.password('rita@mfa.test', PASSWORD, {}), 'mfa').challengeToken;
  // Case and dashes do not matter.
  tokens(
    await cp.signIn.verifySecondFactor(
      { challengeToken: await signIn(), recoveryCode: recoveryCodes[0]!.toUpperCase() },
      undefined,
    ),
  );
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: await signIn(), recoveryCode: recoveryCodes[0]! }, undefined),
    /wrong, used/,
  );
  assert.equal((await cp.factors.status(id)).recoveryCodesLeft, 9);
  const fresh = await cp.factors.regenerateRecoveryCodes(id);
  assert.equal((await cp.factors.status(id)).recoveryCodesLeft, 10);
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: await signIn(), recoveryCode: recoveryCodes[1]! }, undefined),
    /wrong, used/,
  );
  tokens(await cp.signIn.verifySecondFactor({ challengeToken: await signIn(), recoveryCode: fresh[0]! }, undefined));
});

test('five wrong factors void the challenge', async () => {
  await userWithTotp('vic@mfa.test');
  const { challengeToken } = step(await cp.signIn.password('vic@mfa.test', PASSWORD, {}), 'mfa');
  for (let i = 0; i < 5; i++)
    await assert.rejects(
      cp.signIn.verifySecondFactor({ challengeToken, recoveryCode: `wrong-${i}` }, undefined),
      /wrong/,
    );
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken, recoveryCode: 'wrong' }, undefined),
    (err: { code?: string }) => err.code === 'challenge_invalid',
  );
});

test('a tenant that requires MFA: a member without a factor enrols at sign-in before getting a session', async () => {
  await createTenant(cp.dataSource, { id: 'strict', name: 'Strict' });
  await cp.dataSource.query(`UPDATE tenants SET require_mfa = true WHERE id = 'strict'`);
  const user = await createUser(cp.dataSource, { email: 'nina@mfa.test', password: PASSWORD });
  await addMembership(cp.dataSource, { userId: user.id, tenantId: 'strict', role: 'viewer' });
  const enrol = step(await cp.signIn.password('nina@mfa.test', PASSWORD, {}), 'mfa_enrolment');
  assert.equal(await cp.resolveCaller(enrol.challengeToken), null, 'an enrolment token is no access token');
  await assert.rejects(
    cp.signIn.verifySecondFactor({ challengeToken: enrol.challengeToken, totpCode: '123456' }, undefined),
    (err: { code?: string }) => err.code === 'wrong_step',
  );
  const { secret } = await cp.signIn.startEnrolment(enrol.challengeToken);
  await assert.rejects(cp.signIn.confirmEnrolment(enrol.challengeToken, '000000'), /wrong code/);
  const done = await cp.signIn.confirmEnrolment(enrol.challengeToken, await code(secret));
  assert.equal(done.recoveryCodes.length, 10);
  assert.equal((await cp.resolveCaller(done.accessToken))?.tenantId, 'strict');
  // From now on a second factor is asked.
  step(await cp.signIn.password('nina@mfa.test', PASSWORD, {}), 'mfa');
});

test('lockout: per account and per address, with back-off, shared by two replicas, cleared by a successful sign-in', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const rule = { threshold: 3, baseSeconds: 10, maxSeconds: 40, forgetAfterSeconds: 3600 };
  const cfg = { account: rule, address: { ...rule, threshold: 5 } };
  const a = new LoginLockout(cp.dataSource, cfg, () => now);
  const b = new LoginLockout(cp.dataSource, cfg, () => now);
  const email = 'locked@mfa.test';
  for (let i = 0; i < 2; i++) await a.failed(email, '10.9.0.1');
  assert.equal(await b.wait(email, '10.9.0.2'), 0, 'below the threshold');
  await b.failed(email, '10.9.0.2');
  assert.equal(await a.wait(email, '10.9.0.3'), 10, 'the account, from any address, on the other replica');
  now += 4_000;
  assert.equal(await a.wait(email, '10.9.0.3'), 6);
  now += 6_000;
  assert.equal(await a.wait(email, '10.9.0.3'), 0);
  await a.failed(email, '10.9.0.1');
  assert.equal(await b.wait(email, '10.9.0.1'), 20, 'doubles');
  now += 20_000;
  await a.failed(email, '10.9.0.1');
  now += 20_000;
  await a.failed(email, '10.9.0.1');
  assert.equal(await b.wait(email, '10.9.0.4'), 40, 'capped at the maximum');
  // Five accounts failing once each from one address lock the address, for any account.
  for (let i = 0; i < 4; i++) await a.failed(`user${i}@mfa.test`, '10.7.0.1');
  assert.equal(await b.wait('third@mfa.test', '10.7.0.1'), 0);
  await a.failed('user4@mfa.test', '10.7.0.1');
  assert.equal(await b.wait('third@mfa.test', '10.7.0.1'), 10, 'the address, for any account');
  assert.equal(await b.wait('third@mfa.test', '10.9.0.5'), 0);
  await b.succeeded(email);
  assert.equal(await a.wait(email, '10.9.0.6'), 0, 'a successful sign-in clears the account');
  assert.equal(await a.wait(email, '10.7.0.1'), 10, "…not the address's count");
  now += 3600_000;
  assert.equal(await a.wait('third@mfa.test', '10.7.0.1'), 0, 'forgotten after a quiet hour');
});

test('sign-in counts wrong passwords towards the lockout: 429 locked_out with the wait', async () => {
  const user = await createUser(cp.dataSource, { email: 'lou@mfa.test', password: PASSWORD });
  await addMembership(cp.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
  for (let i = 0; i < 10; i++)
    await assert.rejects(cp.signIn.password('lou@mfa.test', 'wrong', { address: `10.8.0.${i}` }), /wrong password/);
  await assert.rejects(
    cp.signIn.password('lou@mfa.test', PASSWORD, { address: '10.8.1.1' }),
    (err: { status?: number; code?: string; details?: { retryAfterSeconds: number } }) =>
      err.status === 429 && err.code === 'locked_out' && err.details?.retryAfterSeconds === 30,
  );
});

test('challenge tokens expire, are stored hashed, and at most five are open per user', async () => {
  const user = await createUser(cp.dataSource, { email: 'cleo@mfa.test', password: PASSWORD });
  let now = Date.now();
  const challenges = new LoginChallenges(cp.dataSource, 60, () => now);
  const issued: string[] = [];
  for (let i = 0; i < 7; i++) {
    now += 1;
    issued.push((await challenges.issue(user.id, 'mfa', { address: '10.2.0.1' })).token);
  }
  const rows = await cp.dataSource.query(`SELECT token_hash FROM login_challenges WHERE user_id = $1`, [user.id]);
  assert.equal(rows.length, 5, 'older ones dropped');
  assert.ok(
    rows.every((r: { token_hash: string }) => !issued.includes(r.token_hash)),
    'only hashes stored',
  );
  await assert.rejects(challenges.find(issued[0]!, 'mfa'), /unknown, used or expired/);
  const latest = await challenges.find(issued[6]!, 'mfa');
  assert.equal(latest.client.address, '10.2.0.1');
  now += 61_000;
  await assert.rejects(challenges.find(issued[6]!, 'mfa'), /unknown, used or expired/);
  assert.equal(await challenges.spend(latest.id), false, 'an expired challenge cannot be spent');
});
