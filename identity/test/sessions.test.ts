import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  addMembership,
  createApiKey,
  createUser,
  hashApiKey,
  openControlPlane,
  type ControlPlane,
} from '../src/index.js';
import { CONTROL_PLANE_MIGRATIONS } from '../src/control-plane/migrations/index.js';
import { createTestDatabase, tempDir, type TestDatabase, passwordLogin } from './helpers.js';

let db: TestDatabase;
const dir = tempDir('tf-sessions-');
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
  dir.remove();
});

const PASSWORD = 'correct horse battery staple';

/** Polls `check` until it holds, or fails after `timeoutMs`; the time it took. */
async function within(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pair(url: string, pollMs?: number): Promise<[ControlPlane, ControlPlane]> {
  const open = () =>
    openControlPlane({
      databaseUrl: url,
      dataDir: dir.path,
      bootstrap: {},
      ...(pollMs !== undefined ? { revocationPollMs: pollMs } : {}),
    });
  const a = await open();
  return [a, await open()];
}

test('a session ended on one replica is refused by another within 5 s (NOTIFY); listing and ending own sessions', async () => {
  const [a, b] = await pair(db.url);
  try {
    const user = await createUser(a.dataSource, { email: 'ann@sessions.test', password: PASSWORD });
    await addMembership(a.dataSource, { userId: user.id, tenantId: 'default', role: 'viewer' });
    const first = await passwordLogin(a, 'ann@sessions.test', PASSWORD, { address: '10.0.0.1', userAgent: 'curl/8' });
    const second = await passwordLogin(a, 'ann@sessions.test', PASSWORD);
    const callerA = await b.resolveCaller(first.accessToken);
    assert.equal(callerA?.userId, user.id);
    assert.ok(callerA?.sessionId, 'the caller names its session');

    const listed = await a.sessions.list(user.id, callerA.sessionId);
    assert.equal(listed.length, 2);
    const current = listed.find((s) => s.current)!;
    assert.equal(current.id, callerA.sessionId);
    assert.equal(current.clientAddress, '10.0.0.1');
    assert.equal(current.userAgent, 'curl/8');

    // Ending the second session on A: B refuses its access token within 5 s, A at once.
    const other = (await b.resolveCaller(second.accessToken))!.sessionId!;
    assert.equal(await a.sessions.revoke(user.id, other, 'user'), true);
    assert.equal(await a.resolveCaller(second.accessToken), null, 'at once on the replica that ended it');
    const took = await within(
      'B refuses the ended session',
      5_000,
      async () => (await b.resolveCaller(second.accessToken)) === null,
    );
    assert.ok(took < 5_000, `took ${took} ms`);
    await assert.rejects(a.sessions.refresh(second.refreshToken), /revoked/);
    assert.equal(await a.sessions.revoke(user.id, other, 'user'), false, 'an ended session cannot be ended again');
    assert.deepEqual(
      (await b.sessions.list(user.id, undefined)).map((s) => s.id),
      [callerA.sessionId],
      'an ended session is no longer listed',
    );
    assert.ok(await b.resolveCaller(first.accessToken), 'the other session is untouched');

    // A notification alone (no row a re-read could find) reaches both replicas: they LISTEN.
    const third = await passwordLogin(a, 'ann@sessions.test', PASSWORD);
    const thirdId = (await a.resolveCaller(third.accessToken))!.sessionId!;
    const notifier = new pg.Client({ connectionString: db.url });
    await notifier.connect();
    try {
      await notifier.query('SELECT pg_notify($1, $2)', [
        'tf_revocations',
        JSON.stringify([['session', thirdId, Date.now() + 60_000]]),
      ]);
    } finally {
      await notifier.end();
    }
    await within('both replicas apply the notification', 5_000, async () => {
      return (await a.resolveCaller(third.accessToken)) === null && (await b.resolveCaller(third.accessToken)) === null;
    });

    // Logout on B ends the first session; A refuses within 5 s.
    await b.sessions.logout(first.refreshToken);
    await within(
      'A refuses the logged-out session',
      5_000,
      async () => (await a.resolveCaller(first.accessToken)) === null,
    );
  } finally {
    await a.close();
    await b.close();
  }
});

test('without notifications the periodic re-read still ends a session within its interval; API keys too', async () => {
  const [a, b] = await pair(db.url, 500);
  try {
    await createUser(a.dataSource, { email: 'bob@sessions.test', password: PASSWORD });
    const login = await passwordLogin(a, 'bob@sessions.test', PASSWORD);
    const sessionId = (await b.resolveCaller(login.accessToken))!.sessionId!;
    // Written behind the control planes' backs: no NOTIFY, only the re-read finds it.
    await a.dataSource.query(
      `INSERT INTO revocations (kind, subject_id, expires_at) VALUES ('session', $1, now() + interval '1 hour')`,
      [sessionId],
    );
    await within('both replicas re-read the list', 2_000, async () => {
      return (await a.resolveCaller(login.accessToken)) === null && (await b.resolveCaller(login.accessToken)) === null;
    });

    const key = await createApiKey(a.dataSource, { tenantId: 'default', name: 'k', scopes: ['read', 'ingest'] });
    assert.ok(await b.resolveCaller(key.key), 'B caches the key');
    assert.ok(await b.authenticate(key.key));
    assert.equal(await a.revokeApiKey('default', key.id), true);
    assert.equal(await a.resolveCaller(key.key), null);
    await within('B refuses the revoked key (API and ingest)', 5_000, async () => {
      return (await b.resolveCaller(key.key)) === null && (await b.authenticate(key.key)) === null;
    });
  } finally {
    await a.close();
    await b.close();
  }
});

test('a LISTEN connection that is cut reconnects, and notifications reach the replica again', async (t) => {
  const [a, b] = await pair(db.url);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await createUser(a.dataSource, { email: 'dan@sessions.test', password: PASSWORD });
    const listeners = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN tf_revocations'`;
    const pids = async () => ((await admin.query(listeners)).rows as { pid: number }[]).map((r) => r.pid);
    const old = await pids();
    assert.ok(old.length >= 2, `both replicas listen (${old.length} LISTEN connections)`);
    const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`);
    t.diagnostic(`cut ${cut.rowCount} LISTEN connections`);
    await within('the replicas listen again, on new connections', 5_000, async () => {
      const now = await pids();
      return now.length >= old.length && now.every((pid) => !old.includes(pid));
    });
    const login = await passwordLogin(a, 'dan@sessions.test', PASSWORD);
    const sessionId = (await a.resolveCaller(login.accessToken))!.sessionId!;
    // A notification without a row: only a listening replica can learn of it.
    await admin.query('SELECT pg_notify($1, $2)', [
      'tf_revocations',
      JSON.stringify([['session', sessionId, Date.now() + 60_000]]),
    ]);
    await within('both replicas apply the notification', 5_000, async () => {
      return (await a.resolveCaller(login.accessToken)) === null && (await b.resolveCaller(login.accessToken)) === null;
    });
  } finally {
    await admin.end();
    await a.close();
    await b.close();
  }
});

test('a password change ends every other session; a reused refresh token ends its session', async () => {
  const [a, b] = await pair(db.url);
  try {
    const user = await createUser(a.dataSource, { email: 'cy@sessions.test', password: PASSWORD });
    const here = await passwordLogin(a, 'cy@sessions.test', PASSWORD);
    const elsewhere = await passwordLogin(a, 'cy@sessions.test', PASSWORD);
    const hereId = (await a.resolveCaller(here.accessToken))!.sessionId!;
    await assert.rejects(a.sessions.changePassword(user.id, hereId, 'wrong', 'a new long password'), /wrong/);
    assert.equal(await a.sessions.changePassword(user.id, hereId, PASSWORD, 'a new long password'), 1);
    assert.ok(await a.resolveCaller(here.accessToken), 'the session that changed it stays');
    await within(
      'B refuses the other session',
      5_000,
      async () => (await b.resolveCaller(elsewhere.accessToken)) === null,
    );
    await assert.rejects(passwordLogin(a, 'cy@sessions.test', PASSWORD), /wrong password/);
    const fresh = await passwordLogin(a, 'cy@sessions.test', 'a new long password');

    const next = await a.sessions.refresh(fresh.refreshToken);
    await pastTheGrace(a, user.id);
    await assert.rejects(a.sessions.refresh(fresh.refreshToken), /already used/);
    await within('B refuses the reused session', 5_000, async () => (await b.resolveCaller(next.accessToken)) === null);
  } finally {
    await a.close();
    await b.close();
  }
});

/** Moves the user's refresh-token uses a minute back: past the reuse grace (10 s), as if presented again that much later. */
async function pastTheGrace(cp: ControlPlane, userId: string): Promise<void> {
  await cp.dataSource.query(
    `UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' WHERE user_id = $1 AND used_at IS NOT NULL`,
    [userId],
  );
}

/**
 * One refresh token presented by several refreshes at once (tabs, a page load that cut the first
 * short): each gets a successor of the same login; the login goes on from one of them, and the
 * others, presented after the grace, end it.
 */
async function refreshesAtOnce(cps: ControlPlane[], email: string): Promise<void> {
  const login = await passwordLogin(cps[0]!, email, PASSWORD);
  const sessionId = (await cps[0]!.resolveCaller(login.accessToken))!.sessionId;
  const pairs = await Promise.all(
    Array.from({ length: 6 }, (_, i) => cps[i % cps.length]!.sessions.refresh(login.refreshToken)),
  );
  assert.equal(new Set(pairs.map((p) => p.refreshToken)).size, 6, 'six successors');
  for (const p of pairs) assert.equal((await cps[0]!.resolveCaller(p.accessToken))?.sessionId, sessionId);
  const goesOn = await cps[0]!.sessions.refresh(pairs[3]!.refreshToken);
  const [{ live }] = (await cps[0]!.dataSource.query(
    `SELECT count(*)::int AS live FROM refresh_tokens WHERE session_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
    [sessionId],
  )) as [{ live: number }];
  assert.equal(live, 1, 'one chain goes on');

  const userId = (await cps[0]!.resolveCaller(goesOn.accessToken))!.userId!;
  await pastTheGrace(cps[0]!, userId);
  await assert.rejects(cps[0]!.sessions.refresh(pairs[0]!.refreshToken), /already used/);
  await assert.rejects(cps[0]!.sessions.refresh(goesOn.refreshToken), /revoked/);
  assert.equal(await cps[0]!.resolveCaller(goesOn.accessToken), null, 'the login ended');
}

test('refreshes with one token at once on two replicas (server Postgres): one login goes on, the others are reuse after the grace', async () => {
  const [a, b] = await pair(db.url);
  try {
    await createUser(a.dataSource, { email: 'di@sessions.test', password: PASSWORD });
    await refreshesAtOnce([a, b], 'di@sessions.test');
  } finally {
    await a.close();
    await b.close();
  }
});

test('embedded Postgres (one connection): refreshes with one token at once, one login goes on', async () => {
  const embedded = tempDir('tf-sessions-grace-');
  const cp = await openControlPlane({
    dataDir: embedded.path,
    bootstrap: { adminEmail: 'root@grace.test', adminPassword: PASSWORD },
  });
  try {
    await refreshesAtOnce([cp], 'root@grace.test');
  } finally {
    await cp.close();
    embedded.remove();
  }
});

test('embedded Postgres: one process, ended sessions are refused at once', async () => {
  const cp = await openControlPlane({
    dataDir: dir.path,
    bootstrap: { adminEmail: 'root@sessions.test', adminPassword: PASSWORD },
  });
  try {
    const login = await passwordLogin(cp, 'root@sessions.test', PASSWORD, { address: '127.0.0.1' });
    const caller = (await cp.resolveCaller(login.accessToken))!;
    assert.equal(caller.kind, 'user');
    assert.deepEqual(
      (await cp.sessions.list(caller.userId!, caller.sessionId)).map((s) => [s.current, s.clientAddress]),
      [[true, '127.0.0.1']],
    );
    assert.equal(await cp.sessions.revokeAll(caller.userId!, 'user'), 1);
    assert.equal(await cp.resolveCaller(login.accessToken), null);
  } finally {
    await cp.close();
  }
});

test('upgrading: refresh-token families of earlier logins become sessions, and their refresh tokens keep working', async () => {
  const old = await createTestDatabase();
  try {
    const before = new DataSource({
      type: 'postgres',
      url: old.url,
      // The migrations before sessions existed.
      migrations: CONTROL_PLANE_MIGRATIONS.slice(
        0,
        CONTROL_PLANE_MIGRATIONS.findIndex((m) => new m().name === 'Sessions1765000000000'),
      ),
      migrationsTableName: 'typeorm_migrations',
    });
    await before.initialize();
    const userId = randomUUID();
    const familyId = randomUUID();
    const token = 'tfr_' + 'x'.repeat(48);
    try {
      await before.runMigrations({ transaction: 'each' });
      await before.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'old@sessions.test', 'x')`, [
        userId,
      ]);
      await before.query(
        `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
        [randomUUID(), familyId, userId, hashApiKey(token)],
      );
    } finally {
      await before.destroy();
    }
    const cp = await openControlPlane({ databaseUrl: old.url, dataDir: dir.path, bootstrap: {} });
    try {
      const next = await cp.sessions.refresh(token);
      const caller = await cp.resolveCaller(next.accessToken);
      assert.equal(caller?.userId, userId);
      assert.equal(caller?.sessionId, familyId, 'the family became the session');
      assert.deepEqual(
        (await cp.sessions.list(userId, familyId)).map((s) => [s.id, s.current]),
        [[familyId, true]],
      );
    } finally {
      await cp.close();
    }
  } finally {
    await old.drop();
  }
});
