// The soak's mix of API work, as a busy team produces it: reads of telemetry, writes read
// back and compared, logins, API-key use, keys created and revoked. Every answer is checked
// against what the tenant wrote and who asked: a value of another tenant or of another
// request is a wrong answer, and so is anything written that does not read back the same.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Credential, SoakApi } from './soak-client.js';
import type { SoakTenant } from './soak-tenants.js';

export interface SoakContext {
  api: SoakApi;
  tenants: SoakTenant[];
  /** Start of the read window (before the seeds were sent), epoch ms. */
  fromMs: number;
}

type Operation = (ctx: SoakContext, tenant: SoakTenant, other: SoakTenant) => Promise<void>;

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

/** The tenant's API key or one of its users' sessions, half and half. */
function someCredential(t: SoakTenant): Credential {
  const withToken = t.users.filter((u) => u.token !== undefined);
  if (withToken.length === 0 || Math.random() < 0.5) return t.key;
  const user = pick(withToken);
  return { bearer: user.token as string, forwardedFor: user.forwardedFor };
}

/** A window that moves with every call, as a console's refresh does (no cache hit by design). */
function range(ctx: SoakContext): string {
  return `from=${ctx.fromMs}&to=${Date.now() + 60_000}`;
}

const readServices: Operation = async (ctx, t) => {
  const call = 'GET /services';
  const res = await ctx.api.request<{ data: { name: string; spanCount: number }[] }>({
    call,
    method: 'GET',
    path: `/api/v1/services?${range(ctx)}`,
    credential: someCredential(t),
    expect: [200],
  });
  const names = res.body.data.map((s) => s.name);
  ctx.api.check(
    call,
    'own service listed',
    names.includes(t.seed.service),
    `${t.seed.service} missing from ${JSON.stringify(names)}`,
  );
  const foreign = ctx.tenants.filter((o) => o !== t && names.includes(o.seed.service));
  ctx.api.check(call, "another tenant's service listed", foreign.length === 0, JSON.stringify(names));
};

const readTraces: Operation = async (ctx, t) => {
  const call = 'GET /traces?service=';
  const res = await ctx.api.request<{ data: { traceId: string }[] }>({
    call,
    method: 'GET',
    path: `/api/v1/traces?service=${encodeURIComponent(t.seed.service)}&${range(ctx)}`,
    credential: someCredential(t),
    expect: [200],
  });
  ctx.api.same(
    call,
    'trace ids of the seed service',
    res.body.data.map((s) => s.traceId),
    [t.seed.traceId],
  );
};

const readTrace: Operation = async (ctx, t, other) => {
  const own = await ctx.api.request<{ data: { spans: { name: string }[] } }>({
    call: 'GET /traces/{id}',
    method: 'GET',
    path: `/api/v1/traces/${t.seed.traceId}`,
    credential: someCredential(t),
    expect: [200],
  });
  ctx.api.same(
    'GET /traces/{id}',
    'span names',
    own.body.data.spans.map((s) => s.name),
    [t.seed.spanName],
  );
  // Another tenant's trace id, asked by this tenant: not found, whatever the cache or the pool holds.
  await ctx.api.request({
    call: 'GET /traces/{id} of another tenant',
    method: 'GET',
    path: `/api/v1/traces/${other.seed.traceId}`,
    credential: someCredential(t),
    expect: [404],
  });
};

const readLogs: Operation = async (ctx, t) => {
  const call = 'GET /logs?service=';
  const res = await ctx.api.request<{ data: { body: unknown }[] }>({
    call,
    method: 'GET',
    path: `/api/v1/logs?service=${encodeURIComponent(t.seed.service)}&${range(ctx)}`,
    credential: someCredential(t),
    expect: [200],
  });
  ctx.api.same(
    call,
    'log bodies of the seed service',
    res.body.data.map((l) => l.body),
    [{ stringValue: t.seed.logBody }],
  );
};

const readMetrics: Operation = async (ctx, t) => {
  const call = 'GET /metrics';
  const res = await ctx.api.request<{ data: { name: string }[] }>({
    call,
    method: 'GET',
    path: `/api/v1/metrics?${range(ctx)}`,
    credential: someCredential(t),
    expect: [200],
  });
  const names = res.body.data.map((m) => m.name);
  ctx.api.check(call, 'own metric listed', names.includes(t.seed.metric), `${t.seed.metric} missing`);
  ctx.api.check(
    call,
    "another tenant's metric listed",
    !ctx.tenants.some((o) => o !== t && names.includes(o.seed.metric)),
    JSON.stringify(names.filter((n) => n.startsWith('soak.'))),
  );
};

const writeDashboard: Operation = async (ctx, t, other) => {
  const sent = {
    title: `soak dashboard ${randomUUID()}`,
    description: `of tenant ${t.index}`,
    tags: ['soak', `t${t.index}`],
    panels: [
      {
        type: 'line',
        title: 'requests',
        query: {
          signal: 'spans',
          measure: 'count',
          filters: [{ label: 'service', op: '=', value: t.seed.service }],
          groupBy: ['operation'],
        },
        layout: { x: 0, y: 0, w: 12, h: 8 },
      },
      {
        type: 'logs',
        title: 'errors',
        query: { service: t.seed.service, minSeverity: 'ERROR', limit: 50 },
        layout: { x: 12, y: 0, w: 12, h: 8 },
      },
    ],
  };
  const created = await ctx.api.request<{ data: { id: string } }>({
    call: 'POST /dashboards',
    method: 'POST',
    path: '/api/v1/dashboards',
    credential: someCredential(t),
    body: sent,
    expect: [201],
  });
  const id = created.body.data.id;
  const read = await ctx.api.request<{ data: Record<string, unknown> }>({
    call: 'GET /dashboards/{id}',
    method: 'GET',
    path: `/api/v1/dashboards/${id}`,
    credential: someCredential(t),
    expect: [200],
  });
  ctx.api.sameFields('GET /dashboards/{id}', 'dashboard', read.body.data, sent);
  await ctx.api.request({
    call: 'GET /dashboards/{id} of another tenant',
    method: 'GET',
    path: `/api/v1/dashboards/${id}`,
    credential: someCredential(other),
    expect: [404],
  });
};

const writeAlertRule: Operation = async (ctx, t) => {
  const sent = {
    name: `soak rule ${randomUUID()}`,
    // Disabled: the soak is about the API's answers, not about evaluating hundreds of rules.
    enabled: false,
    condition: {
      kind: 'span',
      measure: 'error_rate',
      service: t.seed.service,
      window: '5m',
      threshold: { op: 'above', value: 0.05 },
    },
    interval: '1m',
    severity: 'warning',
    labels: { team: `t${t.index}` },
  };
  const created = await ctx.api.request<{ data: { id: string } }>({
    call: 'POST /alert-rules',
    method: 'POST',
    path: '/api/v1/alert-rules',
    credential: someCredential(t),
    body: sent,
    expect: [201],
  });
  const read = await ctx.api.request<{ data: Record<string, unknown> }>({
    call: 'GET /alert-rules/{id}',
    method: 'GET',
    path: `/api/v1/alert-rules/${created.body.data.id}`,
    credential: someCredential(t),
    expect: [200],
  });
  ctx.api.sameFields('GET /alert-rules/{id}', 'rule', read.body.data, sent);
};

const writeChannel: Operation = async (ctx, t) => {
  const sent = {
    type: 'webhook',
    name: `soak channel ${randomUUID()}`,
    url: `https://hooks.example.com/soak/${randomBytes(6).toString('hex')}`,
    secret: randomBytes(16).toString('hex'),
  };
  const created = await ctx.api.request<{ data: { id: string } }>({
    call: 'POST /notification-channels',
    method: 'POST',
    path: '/api/v1/notification-channels',
    credential: someCredential(t),
    body: sent,
    expect: [201],
  });
  const read = await ctx.api.request<{ data: Record<string, unknown> }>({
    call: 'GET /notification-channels/{id}',
    method: 'GET',
    path: `/api/v1/notification-channels/${created.body.data.id}`,
    credential: someCredential(t),
    expect: [200],
  });
  // The URL and the secret are write-only; the name, the type and the target's origin read back.
  ctx.api.sameFields('GET /notification-channels/{id}', 'channel', read.body.data, {
    type: sent.type,
    name: sent.name,
    target: 'https://hooks.example.com',
  });
};

const login: Operation = async (ctx, t) => {
  const user = pick(t.users);
  const res = await ctx.api.request<{ data: { accessToken: string } }>({
    call: 'POST /auth/login',
    method: 'POST',
    path: '/api/v1/auth/login',
    credential: { bearer: '', forwardedFor: user.forwardedFor },
    body: { email: user.email, password: user.password },
    expect: [200],
  });
  const token = res.body.data.accessToken;
  const me = await ctx.api.request<{ data: { kind: string; user?: { email: string }; tenantId: string } }>({
    call: 'GET /me (user)',
    method: 'GET',
    path: '/api/v1/me',
    credential: { bearer: token, forwardedFor: user.forwardedFor },
    expect: [200],
  });
  ctx.api.same(
    'GET /me (user)',
    'who the session is',
    [me.body.data.kind, me.body.data.user?.email, me.body.data.tenantId],
    ['user', user.email, t.id],
  );
  user.token = token;
};

const useKey: Operation = async (ctx, t) => {
  const me = await ctx.api.request<{ data: { kind: string; tenantId: string } }>({
    call: 'GET /me (key)',
    method: 'GET',
    path: '/api/v1/me',
    credential: t.key,
    expect: [200],
  });
  ctx.api.same('GET /me (key)', 'tenant of the key', [me.body.data.kind, me.body.data.tenantId], ['key', t.id]);
};

const keyLifecycle: Operation = async (ctx, t) => {
  const created = await ctx.api.request<{ data: { id: string; key: string } }>({
    call: 'POST /api-keys',
    method: 'POST',
    path: '/api/v1/api-keys',
    credential: t.key,
    body: { name: `soak key ${randomUUID()}`, scopes: ['read'] },
    expect: [201],
  });
  const fresh: Credential = { bearer: created.body.data.key };
  const me = await ctx.api.request<{ data: { tenantId: string; scopes: string[] } }>({
    call: 'GET /me (new key)',
    method: 'GET',
    path: '/api/v1/me',
    credential: fresh,
    expect: [200],
  });
  ctx.api.same(
    'GET /me (new key)',
    'tenant and scopes of the new key',
    [me.body.data.tenantId, me.body.data.scopes],
    [t.id, ['read']],
  );
  await ctx.api.request({
    call: 'DELETE /api-keys/{id}',
    method: 'DELETE',
    path: `/api/v1/api-keys/${created.body.data.id}`,
    credential: t.key,
    expect: [204],
  });
  await ctx.api.request({
    call: 'GET /me (revoked key)',
    method: 'GET',
    path: '/api/v1/me',
    credential: fresh,
    expect: [401],
  });
};

/** What a busy team does, with how often: reads dominate, every write is read back. */
export const OPERATIONS: readonly { name: string; weight: number; run: Operation }[] = [
  { name: 'read services', weight: 10, run: readServices },
  { name: 'search traces', weight: 10, run: readTraces },
  { name: 'read a trace', weight: 8, run: readTrace },
  { name: 'search logs', weight: 10, run: readLogs },
  { name: 'list metrics', weight: 8, run: readMetrics },
  { name: 'write a dashboard', weight: 8, run: writeDashboard },
  { name: 'write an alert rule', weight: 6, run: writeAlertRule },
  { name: 'write a channel', weight: 5, run: writeChannel },
  { name: 'log in', weight: 5, run: login },
  { name: 'use a key', weight: 8, run: useKey },
  { name: 'create and revoke a key', weight: 4, run: keyLifecycle },
];

const TOTAL_WEIGHT = OPERATIONS.reduce((a, o) => a + o.weight, 0);

export function pickOperation(): Operation {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const op of OPERATIONS) {
    r -= op.weight;
    if (r < 0) return op.run;
  }
  return OPERATIONS[0]!.run;
}

/** Share of operations that are logins: how many users the tenants need (the login limits hold per e-mail). */
export const LOGIN_SHARE = 5 / TOTAL_WEIGHT;

/** Runs `calls` API requests' worth of operations, `concurrency` at a time, across every tenant. */
export async function runOperations(ctx: SoakContext, calls: number, concurrency: number): Promise<void> {
  const worker = async () => {
    while (ctx.api.ledger.requests < calls) {
      const tenant = pick(ctx.tenants);
      const other = pick(ctx.tenants.filter((o) => o !== tenant));
      try {
        await pickOperation()(ctx, tenant, other);
      } catch (err) {
        // Counted in the ledger where it happened; anything else is a bug of the soak itself.
        if ((err as Error).name !== 'Abort') throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
