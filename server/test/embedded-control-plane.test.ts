// The embedded control plane (PGlite) under concurrent API load on a fresh all-in-one: every
// call answers right — key reads, writes read back, logins, OTLP with an ingest key — and
// the database is reachable only by the process (a Unix socket of mode 0600, no TCP port).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, freshDataDir, removeDir, startServer, type Started } from './helpers.js';

let server: Started;
let dataDir: string;

before(async () => {
  dataDir = freshDataDir('tf-cp-');
  // Each login comes from its own client address, as many users behind a proxy would.
  server = await startServer(dataDir, { TF_TRUST_PROXY: 'true' });
});

after(async () => {
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

interface Answer {
  status: number;
  body: unknown;
}

let nextAddress = 0;

/** One API call; a call that gets no answer within 30 s is a failure, never a hung test. */
async function call(
  path: string,
  opts: { token?: string; tenant?: string; method?: string; body?: unknown; base?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'x-forwarded-for': `10.1.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`,
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.tenant) headers['x-tenant'] = opts.tenant;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${opts.base ?? server.running.apiUrl}${path}`, {
    method: opts.method ?? 'GET',
    headers,
    signal: AbortSignal.timeout(30_000),
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function expect(what: string, got: Answer, status: number): Record<string, unknown> {
  if (got.status !== status) throw new Error(`${what}: ${got.status} ${JSON.stringify(got.body)}`);
  return (got.body as { data?: Record<string, unknown> } | undefined)?.data ?? {};
}

async function login(email: string, password: string): Promise<string> {
  return expect(`login ${email}`, await call('/api/v1/auth/login', { method: 'POST', body: { email, password } }), 200)
    .accessToken as string;
}

const USER_PASSWORD = 'a long enough password';

test(
  '384 tenant-scoped API calls, 48 at a time, on a fresh instance: 0 failures, every write read back',
  { timeout: 240_000 },
  async () => {
    // A few tenants of the admin, each with a key, and users who log in during the burst.
    const admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const tenants: { id: string; key: string }[] = [];
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      const id = expect(
        'create tenant',
        await call('/api/v1/tenants', { token: admin, method: 'POST', body: { name } }),
        201,
      ).id as string;
      const key = expect(
        'create key',
        await call('/api/v1/api-keys', {
          token: admin,
          tenant: id,
          method: 'POST',
          body: { name: 'load', scopes: ['ingest', 'read', 'admin'] },
        }),
        201,
      ).key as string;
      tenants.push({ id, key });
    }
    const users = ['u0@x.test', 'u1@x.test', 'u2@x.test', 'u3@x.test'];
    for (const [i, email] of users.entries()) {
      const tenant = tenants[i]!.id;
      const invitation = expect(
        'invite',
        await call(`/api/v1/tenants/${tenant}/invitations`, {
          token: admin,
          method: 'POST',
          body: { email, role: 'viewer', password: USER_PASSWORD },
        }),
        201,
      );
      const token = await login(email, USER_PASSWORD);
      expect(
        'accept',
        await call(`/api/v1/invitations/${String(invitation.id)}/accept`, { token, method: 'POST' }),
        200,
      );
    }

    const written: { tenant: string; key: string; id: string; title: string }[] = [];
    const failures: string[] = [];
    const job = async (i: number): Promise<void> => {
      const t = tenants[i % tenants.length]!;
      switch (i % 8) {
        case 0:
        case 1: {
          const me = expect('key /me', await call('/api/v1/me', { token: t.key }), 200);
          if (me.tenantId !== t.id) throw new Error(`key of ${t.id} answered as ${String(me.tenantId)}`);
          return;
        }
        case 2: {
          const list = expect(
            'key list dashboards',
            await call('/api/v1/dashboards', { token: t.key }),
            200,
          ) as unknown as unknown[];
          if (!Array.isArray(list) || list.length < 3)
            throw new Error(`dashboards of ${t.id}: ${JSON.stringify(list)}`);
          return;
        }
        case 3:
        case 4: {
          const title = `load ${i}`;
          const created = expect(
            'create dashboard',
            await call('/api/v1/dashboards', { token: t.key, method: 'POST', body: { title, panels: [] } }),
            201,
          );
          const id = created.id as string;
          const read = expect(
            `read back dashboard ${id}`,
            await call(`/api/v1/dashboards/${id}`, { token: t.key }),
            200,
          );
          if (read.title !== title)
            throw new Error(`dashboard ${id} read back as ${JSON.stringify(read.title)}, not ${title}`);
          written.push({ tenant: t.id, key: t.key, id, title });
          return;
        }
        case 5: {
          const u = Math.floor(i / 8) % users.length;
          const token = await login(users[u]!, USER_PASSWORD);
          const me = expect('user /me', await call('/api/v1/me', { token }), 200) as { user?: { email?: string } };
          if (me.user?.email !== users[u])
            throw new Error(`login of ${users[u]} answered as ${JSON.stringify(me.user)}`);
          return;
        }
        case 6: {
          const mine = expect('user tenants', await call('/api/v1/tenants', { token: admin }), 200) as unknown as {
            id: string;
          }[];
          if (mine.length !== tenants.length + 1)
            throw new Error(`the admin has ${mine.length} tenants, not ${tenants.length + 1}`);
          return;
        }
        default: {
          const otlp = server.running.otlpHttpUrl;
          const body = {
            resourceLogs: [
              {
                resource: { attributes: [] },
                scopeLogs: [
                  {
                    logRecords: [
                      { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: `load ${i}` } },
                    ],
                  },
                ],
              },
            ],
          };
          expect(
            'OTLP logs with an ingest key',
            await call('/v1/logs', { base: otlp, token: t.key, method: 'POST', body }),
            200,
          );
        }
      }
    };

    const CALLS = 384;
    const IN_FLIGHT = 48;
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CALLS) {
          const i = next++;
          await job(i).catch((err: unknown) =>
            failures.push(`call ${i}: ${err instanceof Error ? err.message : String(err)}`),
          );
        }
      }),
    );
    assert.deepEqual(failures, [], `${failures.length} of ${CALLS} calls failed`);
    assert.equal(written.length, CALLS / 4);

    // Every write is there afterwards, in its own tenant only.
    for (const t of tenants) {
      const listed = new Set(
        (expect('list', await call('/api/v1/dashboards', { token: t.key }), 200) as unknown as { id: string }[]).map(
          (d) => d.id,
        ),
      );
      for (const w of written)
        assert.equal(
          listed.has(w.id),
          w.tenant === t.id,
          `dashboard ${w.id} of ${w.tenant} listed for ${t.id}: ${listed.has(w.id)}`,
        );
    }
  },
);

test('the embedded Postgres listens on a Unix socket of mode 0600 in a 0700 directory, on no TCP port', async () => {
  const socketDir = join(dataDir, 'postgres-socket');
  const socket = join(socketDir, '.s.PGSQL.5432');
  assert.equal(statSync(socketDir).mode & 0o777, 0o700);
  assert.ok(statSync(socket).isSocket());
  assert.equal(statSync(socket).mode & 0o777, 0o600);
  // Every TCP port this process listens on answers something other than Postgres.
  const ports = listeningTcpPorts(process.pid);
  assert.ok(ports.length > 0, 'the all-in-one listens on its API and OTLP ports');
  for (const port of ports)
    assert.equal(await speaksPostgres(port), false, `TCP port ${port} of the process answers the Postgres protocol`);
});

/** TCP ports a process listens on, from /proc (its socket inodes matched against /proc/net/tcp*). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A = LISTEN; column 9 is the inode.
      if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) ports.add(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports];
}

/** Sends a Postgres SSLRequest: a Postgres server answers one byte, 'S' or 'N'. */
function speaksPostgres(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(2000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    s.on('data', (d) => done(d.length === 1 && (d[0] === 0x53 || d[0] === 0x4e)));
    s.on('end', () => done(false));
  });
}
