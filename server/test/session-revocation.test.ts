// Two API replicas as separate OS processes on one Postgres database: a session ended on one
// (logout, through /me/sessions, by an admin) and an API key revoked on one are refused by the
// other within 5 s — revocations travel by LISTEN/NOTIFY, with the periodic re-read behind it;
// a member removed on one is refused by the other's tenant at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ADMIN_EMAIL, ADMIN_PASSWORD, API_KEY, freshDataDir, removeDir } from './helpers.js';
import { killAll, launchMain, type MainProcess } from './main-process.js';

const ADMIN_URL = process.env.TF_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `tf_sessions_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dirs = [freshDataDir('tf-replica-a-'), freshDataDir('tf-replica-b-')];

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

before(async () => {
  await admin(`CREATE DATABASE ${dbName}`);
});

after(async () => {
  killAll();
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  for (const d of dirs) removeDir(d);
});

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(
  proc: MainProcess,
  path: string,
  opts: { key?: string; method?: string; body?: unknown; tenant?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.tenant !== undefined) headers['x-tenant'] = opts.tenant;
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${proc.apiUrl}${path}`, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined } as Answer;
}

async function login(
  proc: MainProcess,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await call(proc, '/api/v1/auth/login', { method: 'POST', body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data;
}

/** Waits until `proc` answers `token` with 401 in the error envelope; the milliseconds it took. */
async function refusedWithin(proc: MainProcess, token: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const res = await call(proc, '/api/v1/me', { key: token });
    if (res.status === 401) {
      assert.equal(res.body.error.code, 'unauthenticated');
      assert.ok(res.body.error.requestId);
      return Date.now() - start;
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    if (Date.now() - start > timeoutMs) throw new Error(`still accepted after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a session ended on one API replica is refused by a second replica process within 5 s; so are a revoked key and a removed member', async (t) => {
  const env = { DATABASE_URL: databaseUrl };
  // One after the other: the first migrates and bootstraps, the second finds it done.
  const a = await launchMain(['query'], dirs[0]!, env);
  const b = await launchMain(['query'], dirs[1]!, env);
  try {
    // Logout on A: B refuses the session's access token within 5 s.
    const first = await login(a);
    assert.equal((await call(b, '/api/v1/me', { key: first.accessToken })).status, 200, 'B accepts it first');
    const out = await call(a, '/api/v1/auth/logout', { method: 'POST', body: { refreshToken: first.refreshToken } });
    assert.equal(out.status, 204);
    const afterLogout = await refusedWithin(b, first.accessToken, 5_000);

    // Ending a session through /me/sessions on B: A refuses it within 5 s.
    const keep = await login(a);
    const end = await login(b);
    assert.equal((await call(a, '/api/v1/me', { key: end.accessToken })).status, 200);
    const listed = await call(b, '/api/v1/me/sessions', { key: keep.accessToken });
    const target = (listed.body.data as { id: string; current: boolean }[]).find((s) => !s.current)!;
    const del = await call(b, `/api/v1/me/sessions/${target.id}`, { key: keep.accessToken, method: 'DELETE' });
    assert.equal(del.status, 204);
    const afterEnd = await refusedWithin(a, end.accessToken, 5_000);
    assert.equal((await call(a, '/api/v1/me', { key: keep.accessToken })).status, 200, 'the other session works');

    // An API key revoked on A: B, which has it cached, refuses it within 5 s.
    const created = await call(a, '/api/v1/api-keys', {
      key: API_KEY,
      method: 'POST',
      body: { name: 'replicated', scopes: ['read'] },
    });
    assert.equal(created.status, 201);
    assert.equal((await call(b, '/api/v1/me', { key: created.body.data.key })).status, 200);
    const revoked = await call(a, `/api/v1/api-keys/${created.body.data.id}`, { key: API_KEY, method: 'DELETE' });
    assert.equal(revoked.status, 204);
    const afterRevoke = await refusedWithin(b, created.body.data.key, 5_000);

    // A member whose sessions an admin ends on A: B refuses them within 5 s.
    const owner = await login(a);
    const MEMBER = 'member@example.com';
    const MEMBER_PASSWORD = 'a member password of some length';
    const invited = await call(a, '/api/v1/tenants/default/invitations', {
      key: owner.accessToken,
      method: 'POST',
      body: { email: MEMBER, role: 'viewer', password: MEMBER_PASSWORD },
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const member = await login(b, MEMBER, MEMBER_PASSWORD);
    const [invitation] = (await call(b, '/api/v1/invitations', { key: member.accessToken })).body.data;
    assert.equal(
      (await call(b, `/api/v1/invitations/${invitation.id}/accept`, { key: member.accessToken, method: 'POST' }))
        .status,
      200,
    );
    const memberId = (await call(b, '/api/v1/me', { key: member.accessToken })).body.data.user.id as string;
    const ended = await call(a, `/api/v1/tenants/default/members/${memberId}/sessions`, {
      key: owner.accessToken,
      method: 'DELETE',
    });
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    const afterAdmin = await refusedWithin(b, member.accessToken, 5_000);

    // Member removal on A: B refuses the member in the tenant from the next request on.
    const again = await login(b, MEMBER, MEMBER_PASSWORD);
    assert.equal((await call(b, '/api/v1/api-keys', { key: again.accessToken, tenant: 'default' })).status, 200);
    const removed = await call(a, `/api/v1/tenants/default/members/${memberId}`, {
      key: owner.accessToken,
      method: 'DELETE',
    });
    assert.equal(removed.status, 204);
    const denied = await call(b, '/api/v1/api-keys', { key: again.accessToken, tenant: 'default' });
    assert.equal(denied.status, 404, JSON.stringify(denied.body));
    assert.equal(denied.body.error.code, 'tenant_not_found');

    const took = [afterLogout, afterEnd, afterRevoke, afterAdmin];
    t.diagnostic(`refused on the other replica after (logout, ended, key, admin) ${took.join(' / ')} ms`);
    assert.ok(
      took.every((ms) => ms < 5_000),
      took.join(' / ') + ' ms',
    );
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    assert.deepEqual(await a.exited, { code: 0, signal: null }, a.output());
    assert.deepEqual(await b.exited, { code: 0, signal: null }, b.output());
  }
});
