// The soak's tenants, made the way a team would: the bootstrap admin logs in, creates each
// tenant, an API key in it and member accounts, and every tenant sends a little telemetry
// of its own (a trace, a log record, a metric) that only it may read back.
import { randomBytes } from 'node:crypto';
import { Abort, type Credential, type SoakApi } from './soak-client.js';

export interface SoakUser {
  email: string;
  password: string;
  /** Each user comes from its own address, as a team's people do. */
  forwardedFor: string;
  /** A token from the user's last login. */
  token?: string;
}

export interface SoakTenant {
  index: number;
  id: string;
  name: string;
  /** Scopes ingest, read, admin. */
  key: Credential;
  users: SoakUser[];
  /** What the tenant sent and must read back, and no other tenant may see. */
  seed: { service: string; traceId: string; spanName: string; logBody: string; metric: string };
}

export interface TenantPlan {
  tenants: number;
  usersPerTenant: number;
  admin: { email: string; password: string };
  otlpHttpUrl: string;
}

/** Nanoseconds, as OTLP/JSON carries them. */
function ns(ms: number): string {
  return (BigInt(ms) * 1_000_000n).toString();
}

export async function createTenants(api: SoakApi, plan: TenantPlan): Promise<SoakTenant[]> {
  const login = await api.request<{ data: { accessToken: string } }>({
    call: 'setup: login',
    method: 'POST',
    path: '/api/v1/auth/login',
    body: plan.admin,
    expect: [200],
  });
  const admin: Credential = { bearer: login.body.data.accessToken, forwardedFor: '10.255.0.1' };
  const run = randomBytes(3).toString('hex');
  const tenants: SoakTenant[] = [];
  for (let t = 0; t < plan.tenants; t++) {
    const name = `soak ${run} tenant ${t}`;
    const created = await api.request<{ data: { id: string } }>({
      call: 'setup: create tenant',
      method: 'POST',
      path: '/api/v1/tenants',
      credential: admin,
      body: { name },
      expect: [201],
    });
    const id = created.body.data.id;
    const inTenant: Credential = { ...admin, tenant: id };
    const key = await api.request<{ data: { key: string } }>({
      call: 'setup: create key',
      method: 'POST',
      path: '/api/v1/api-keys',
      credential: inTenant,
      body: { name: 'soak', scopes: ['ingest', 'read', 'admin'] },
      expect: [201],
    });
    const users: SoakUser[] = [];
    for (let u = 0; u < plan.usersPerTenant; u++) {
      const user: SoakUser = {
        email: `soak-${run}-t${t}-u${u}@example.com`,
        password: `soak password ${randomBytes(8).toString('hex')}`,
        forwardedFor: `10.${t}.${Math.floor(u / 250)}.${(u % 250) + 1}`,
      };
      await api.request({
        call: 'setup: invite member',
        method: 'POST',
        path: `/api/v1/tenants/${id}/invitations`,
        credential: inTenant,
        body: { email: user.email, role: 'editor', password: user.password },
        expect: [201],
      });
      await acceptInvitation(api, user, id);
      users.push(user);
    }
    const service = `soak-${run}-${t}`;
    const tenant: SoakTenant = {
      index: t,
      id,
      name,
      key: { bearer: key.body.data.key },
      users,
      seed: {
        service,
        traceId: randomBytes(16).toString('hex').replace(/00$/, '01'),
        spanName: `GET /seed/${t}`,
        logBody: `seed log of ${service}`,
        metric: `soak.${run}.t${t}.seed`,
      },
    };
    await sendSeed(plan.otlpHttpUrl, tenant);
    tenants.push(tenant);
  }
  return tenants;
}

/** The invitee signs in and accepts the invitation to `tenantId` (members join by invitation). */
async function acceptInvitation(api: SoakApi, user: SoakUser, tenantId: string): Promise<void> {
  const login = await api.request<{ data: { accessToken: string } }>({
    call: 'setup: invitee login',
    method: 'POST',
    path: '/api/v1/auth/login',
    credential: { bearer: '', forwardedFor: user.forwardedFor },
    body: { email: user.email, password: user.password },
    expect: [200],
  });
  const invitee: Credential = { bearer: login.body.data.accessToken, forwardedFor: user.forwardedFor };
  const received = await api.request<{ data: { id: string; tenantId: string }[] }>({
    call: 'setup: invitations',
    method: 'GET',
    path: '/api/v1/invitations',
    credential: invitee,
    expect: [200],
  });
  const invitation = received.body.data.find((i) => i.tenantId === tenantId);
  if (!invitation) throw new Abort(`no invitation of ${user.email} to tenant ${tenantId}`);
  await api.request({
    call: 'setup: accept invitation',
    method: 'POST',
    path: `/api/v1/invitations/${invitation.id}/accept`,
    credential: invitee,
    expect: [200],
  });
}

async function sendSeed(otlpHttpUrl: string, t: SoakTenant): Promise<void> {
  const at = Date.now() - 30_000;
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: t.seed.service } }] };
  const bodies: [string, unknown][] = [
    [
      'traces',
      {
        resourceSpans: [
          {
            resource,
            scopeSpans: [
              {
                scope: { name: 'soak' },
                spans: [
                  {
                    traceId: t.seed.traceId,
                    spanId: randomBytes(8).toString('hex'),
                    name: t.seed.spanName,
                    kind: 2,
                    startTimeUnixNano: ns(at),
                    endTimeUnixNano: ns(at + 12),
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    [
      'logs',
      {
        resourceLogs: [
          {
            resource,
            scopeLogs: [
              {
                scope: { name: 'soak' },
                logRecords: [{ timeUnixNano: ns(at), severityNumber: 9, body: { stringValue: t.seed.logBody } }],
              },
            ],
          },
        ],
      },
    ],
    [
      'metrics',
      {
        resourceMetrics: [
          {
            resource,
            scopeMetrics: [
              {
                scope: { name: 'soak' },
                metrics: [
                  {
                    name: t.seed.metric,
                    unit: '1',
                    gauge: { dataPoints: [{ timeUnixNano: ns(at), asDouble: t.index }] },
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  ];
  for (const [signal, body] of bodies) {
    const res = await fetch(`${otlpHttpUrl}/v1/${signal}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key.bearer}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200 || text.includes('partialSuccess'))
      throw new Abort(`seeding ${signal} of tenant ${t.index}: ${res.status} ${text}`);
  }
}
