// Quotas and usage in the all-in-one: an instance administrator sets a tenant's quotas
// (nobody else may), the collector refuses over the ingest rate with the OTLP codes and
// accepts again after the delay, queries over the range quota get a 422, and the tenant's
// usage (accepted, and refused by reason, queries) equals what the clients saw.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as GrpcCode, type Client } from '@grpc/grpc-js';
import { encodeExportRequestObject, encodeWriteRequest, otlpRoot } from '@telemetryflow/otlp';
import type { TenantQuotasDto, UsageDto } from '@telemetryflow/contract';
import { compressSync, uncompressSync } from 'snappy';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  api,
  createTenantWithKeys,
  eventually,
  freshDataDir,
  removeDir,
  startServer,
  type Started,
} from './helpers.js';
import { grpcExport, otlpGrpcClient } from './otlp-grpc-client.js';

function spans(n: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  return Buffer.from(
    encodeExportRequestObject('traces', {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'quota-svc' } }] },
          scopeSpans: [
            {
              spans: Array.from({ length: n }, (_, i) => ({
                traceId: Buffer.alloc(16, i + 1),
                spanId: Buffer.alloc(8, i + 1),
                name: `op-${i}`,
                kind: 2,
                startTimeUnixNano: String(now - 1_000_000n),
                endTimeUnixNano: String(now),
              })),
            },
          ],
        },
      ],
    }),
  );
}

function logs(n: number): Buffer {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  return Buffer.from(
    encodeExportRequestObject('logs', {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'quota-svc' } }] },
          scopeLogs: [
            {
              logRecords: Array.from({ length: n }, (_, i) => ({
                timeUnixNano: now,
                severityNumber: 9,
                body: { stringValue: `line ${i}` },
              })),
            },
          ],
        },
      ],
    }),
  );
}

function samples(n: number): Buffer {
  return compressSync(
    Buffer.from(
      encodeWriteRequest({
        timeseries: Array.from({ length: n }, (_, i) => ({
          labels: [
            { name: '__name__', value: 'quota_up' },
            { name: 'instance', value: `host-${i}` },
          ],
          samples: [{ value: 1, timestamp: Date.now() - 1000 }],
        })),
      }),
    ),
  );
}

describe('quotas and usage (all-in-one)', () => {
  const dir = freshDataDir('tf-quotas-');
  let server: Started;
  let apiUrl: string;
  let otlpUrl: string;
  let grpc: Client;
  let adminToken: string;
  let tenantId: string;
  let ingestKey: string;
  let adminKey: string;
  /** A second ingest key of the tenant, used before quotas are set (a key caches its tenant's quotas). */
  let earlyIngestKey: string;

  before(async () => {
    server = await startServer(dir, { TF_USAGE_FLUSH_MS: '50', TF_USAGE_STORED_BYTES_MS: '1000' });
    apiUrl = server.running.apiUrl!;
    otlpUrl = server.running.otlpHttpUrl!;
    grpc = otlpGrpcClient(server.running.otlpGrpcAddress!);
    const login = await api<{ data: { accessToken: string } }>(apiUrl, '/api/v1/auth/login', undefined, {
      method: 'POST',
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    adminToken = login.body.data.accessToken;
    ({
      tenantId,
      keys: [ingestKey, adminKey, earlyIngestKey],
    } = (await createTenantWithKeys(apiUrl, 'quota-co', [['ingest'], ['read', 'admin'], ['ingest']])) as {
      tenantId: string;
      keys: [string, string, string];
    });
  });
  after(async () => {
    grpc?.close();
    await server?.running.close();
    removeDir(dir);
  });

  // What the clients saw, as a user would tally it from their exporters' logs: accepted
  // requests, items and bytes, and every refused request by its reason.
  const seen: Record<string, number> = {};
  const tally = (key: string, n = 1) => (seen[key] = (seen[key] ?? 0) + n);
  const rpcStatus = otlpRoot.lookupType('google.rpc.Status');
  const statusMessage = async (res: Response): Promise<string> => {
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.headers.get('content-type')?.startsWith('application/x-protobuf'))
      return String((rpcStatus.toObject(rpcStatus.decode(bytes)) as { message?: string }).message ?? '');
    return bytes.toString('utf8');
  };
  /** A refusal's reason as its answer tells it: the status, and the message naming a quota. */
  const reasonOf = (status: number, message: string): string => {
    if (/quota/.test(message)) return 'quota';
    if (status === 503) return /temporarily unable/.test(message) ? 'unavailable' : 'overload';
    const byStatus: Record<number, string> = {
      400: 'invalid',
      403: 'forbidden',
      408: 'timeout',
      413: 'too-large',
      415: 'invalid',
      429: 'overload',
    };
    return byStatus[status] ?? `status ${status}`;
  };
  /** Tallies one HTTP answer (OTLP or remote write); returns it with its body's message read. */
  const observe = async (signal: string, res: Response, items: number, bytes: number) => {
    const ok = res.status === 200 || res.status === 204;
    const message = ok ? '' : await statusMessage(res.clone());
    if (ok) {
      tally(`${signal} accepted requests`);
      tally(`${signal} accepted items`, items);
      tally(`${signal} accepted bytes`, bytes);
    } else tally(`${signal} refused ${reasonOf(res.status, message)}`);
    return { res, message };
  };
  const postOtlp = async (
    signal: 'traces' | 'metrics' | 'logs',
    body: Buffer,
    items: number,
    contentType = 'application/x-protobuf',
    key = ingestKey,
  ) =>
    observe(
      signal,
      await fetch(`${otlpUrl}/v1/${signal}`, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
      }),
      items,
      body.length,
    );
  const postSpans = async (n: number) => (await postOtlp('traces', spans(n), n)).res;

  it('a malformed or wrongly typed export is refused as invalid, and counted (before any quota)', async () => {
    const garbage = await postOtlp('logs', Buffer.from([0xff, 0xff, 0xff]), 0, undefined, earlyIngestKey);
    assert.equal(garbage.res.status, 400, garbage.message);
    const typed = await postOtlp('logs', logs(1), 1, 'text/plain', earlyIngestKey);
    assert.equal(typed.res.status, 415, typed.message);
  });

  const quotasPath = () => `/api/v1/tenants/${tenantId}/quotas`;
  const QUOTAS = {
    ingestItemsPerSecond: { traces: 10, metrics: 10 },
    dailyItems: { logs: 5 },
    maxQueryRangeSeconds: 3600,
    maxActiveSeries: 25,
  };

  it('only an instance administrator reads and sets quotas; bad quotas are a 400', async () => {
    // The tenant's own admin key (and so its owner's powers within the tenant) is not enough.
    const byKey = await api(apiUrl, quotasPath(), adminKey, { method: 'PUT', body: QUOTAS });
    assert.equal(byKey.status, 403, JSON.stringify(byKey.body));
    assert.equal((await api(apiUrl, quotasPath(), adminKey)).status, 403);

    // Nor is being the tenant's owner: a user invited as owner, who is no instance administrator.
    const OWNER = 'owner@quota-co.test';
    const OWNER_PASSWORD = 'an owner password of some length';
    const invited = await api(apiUrl, `/api/v1/tenants/${tenantId}/invitations`, adminToken, {
      method: 'POST',
      body: { email: OWNER, role: 'owner', password: OWNER_PASSWORD },
      headers: { 'x-tenant': tenantId },
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const ownerLogin = await api<{ data: { accessToken: string } }>(apiUrl, '/api/v1/auth/login', undefined, {
      method: 'POST',
      body: { email: OWNER, password: OWNER_PASSWORD },
    });
    const ownerToken = ownerLogin.body.data.accessToken;
    const [invitation] = (await api<{ data: { id: string }[] }>(apiUrl, '/api/v1/invitations', ownerToken)).body.data;
    const accepted = await api(apiUrl, `/api/v1/invitations/${invitation!.id}/accept`, ownerToken, { method: 'POST' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const ownerMe = await api<{ data: { role: string; instanceAdmin: boolean } }>(apiUrl, '/api/v1/me', ownerToken, {
      headers: { 'x-tenant': tenantId },
    });
    assert.deepEqual([ownerMe.body.data.role, ownerMe.body.data.instanceAdmin], ['owner', false]);
    const byOwner = await api(apiUrl, quotasPath(), ownerToken, {
      method: 'PUT',
      body: QUOTAS,
      headers: { 'x-tenant': tenantId },
    });
    assert.equal(byOwner.status, 403, JSON.stringify(byOwner.body));
    const adminMe = await api<{ data: { instanceAdmin: boolean } }>(apiUrl, '/api/v1/me', adminToken);
    assert.equal(adminMe.body.data.instanceAdmin, true);

    const bad = await api(apiUrl, quotasPath(), adminToken, {
      method: 'PUT',
      body: { ingestItemsPerSecond: { traces: -1 } },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal((await api(apiUrl, '/api/v1/tenants/no-such-tenant/quotas', adminToken)).status, 404);

    const put = await api<{ data: TenantQuotasDto }>(apiUrl, quotasPath(), adminToken, { method: 'PUT', body: QUOTAS });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const got = await api<{ data: TenantQuotasDto }>(apiUrl, quotasPath(), adminToken);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.data.quotas, QUOTAS);
    assert.equal(got.body.data.tenantId, tenantId);
  });

  it('OTLP/HTTP over the rate: 429 with Retry-After and RetryInfo, accepted again after the delay', async () => {
    assert.equal((await postSpans(15)).status, 200);
    const refused = await postSpans(1);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const statusType = otlpRoot.lookupType('google.rpc.Status');
    const status = statusType.toObject(statusType.decode(Buffer.from(await refused.arrayBuffer()))) as {
      code: number;
      details: { typeUrl: string }[];
    };
    assert.equal(status.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.equal(status.details[0]!.typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
    await eventually('the rate quota to let spans in again', async () =>
      (await postSpans(1)).status === 200 ? true : undefined,
    );
  });

  it('OTLP/gRPC over the rate: RESOURCE_EXHAUSTED with RetryInfo', async () => {
    // The bucket may still owe the span of the last test's recovery: wait it out (refusals are counted).
    await eventually('25 spans to be accepted', async () => ((await postSpans(25)).status === 200 ? true : undefined));
    const reply = await grpcExport(grpc, 'traces', spans(1), ingestKey);
    assert.equal(reply.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.ok((reply.retryDelayMs ?? 0) >= 1000, String(reply.retryDelayMs));
    assert.match(reply.message ?? '', /quota/);
    tally('traces refused quota');
  });

  const push = (body: Buffer) =>
    fetch(`${otlpUrl}/api/v1/push`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
        authorization: `Bearer ${ingestKey}`,
      },
    });
  // Usage counts the bytes of the decompressed request.
  const rawBytes = (body: Buffer) => Buffer.from(uncompressSync(body) as Buffer).length;
  const write = async (n: number) => {
    const body = samples(n);
    return (await observe('metrics', await push(body), n, rawBytes(body))).res;
  };

  it('remote write over the rate: 429', async () => {
    assert.equal((await write(20)).status, 204);
    const refused = await write(1);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  it('active series: points of new series beyond the quota are refused (remote write 400), active series still stored', async () => {
    // host-0 … host-19 are active; 30 series now: 20 active and 10 new, of which 5 fit in 25.
    const body = samples(30);
    const res = await eventually('the metrics rate to let the write in', async () => {
      const r = await push(body);
      if (r.status !== 429) return r;
      tally('metrics refused quota');
      return undefined;
    });
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.match(text, /^5 sample\(s\) not stored: .*active series quota/);
    tally('metrics accepted requests');
    tally('metrics accepted items', 25);
    tally('metrics accepted bytes', rawBytes(body));
    tally('metrics refused items quota', 5);
    // An active series is still accepted once the rate allows.
    await eventually('a sample of an active series to be accepted', async () =>
      (await write(1)).status === 204 ? true : undefined,
    );
    // Over OTLP a new series is a partial success: 200, its point rejected, the quota named.
    const otlpMetric = Buffer.from(
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'quota_up',
                    gauge: {
                      dataPoints: [
                        {
                          timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                          asDouble: 1,
                          attributes: [{ key: 'instance', value: { stringValue: 'host-new' } }],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const partial = await eventually('the metrics rate to let the OTLP export in', async () => {
      const r = await postOtlp('metrics', otlpMetric, 0, 'application/json');
      return r.res.status === 429 ? undefined : r.res;
    });
    assert.equal(partial.status, 200);
    const answer = (await partial.json()) as {
      partialSuccess?: { rejectedDataPoints?: string; errorMessage?: string };
    };
    assert.equal(answer.partialSuccess?.rejectedDataPoints, '1');
    assert.match(answer.partialSuccess?.errorMessage ?? '', /active series quota/);
    tally('metrics refused items quota', 1);
  });

  it("daily volume: once the day's items are used, 429 until midnight UTC", async () => {
    const postLogs = async (n: number) => (await postOtlp('logs', logs(n), n)).res;
    assert.equal((await postLogs(3)).status, 200);
    assert.equal((await postLogs(3)).status, 200); // 3 of 5 used when it came
    const refused = await postLogs(1);
    assert.equal(refused.status, 429);
    const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
    assert.ok(Math.abs(Number(refused.headers.get('retry-after')) - untilMidnight) <= 5);
  });

  it('a query over the range quota is a 422 naming the quota; within it, answered', async () => {
    const now = Date.now();
    const wide = await api<{ error: { code: string; message: string } }>(
      apiUrl,
      `/api/v1/logs?from=${now - 2 * 3_600_000}&to=${now}`,
      adminKey,
    );
    assert.equal(wide.status, 422, JSON.stringify(wide.body));
    assert.equal(wide.body.error.code, 'query_range_quota_exceeded');
    assert.match(wide.body.error.message, /at most 3600 s/);
    const narrow = await api(apiUrl, `/api/v1/logs?from=${now - 1_800_000}&to=${now}`, adminKey);
    assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
  });

  it('usage equals what the clients saw accepted and refused, per reason', async () => {
    const now = Date.now();
    const path = `/api/v1/usage?from=${now - 3_600_000}&to=${now + 3_600_000}`;
    assert.ok(seen['traces refused quota']! >= 2 && seen['logs refused invalid'] === 2, JSON.stringify(seen));
    let usage: Record<string, number> = {};
    let queriesRun = 0;
    let stored: Record<string, { rows: number; bytes: number }> = {};
    await eventually(
      'usage to show every export',
      async () => {
        const res = await api<{ data: UsageDto }>(apiUrl, path, adminKey);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.data.step, 3600);
        usage = {};
        queriesRun = 0;
        stored = {};
        for (const p of res.body.data.points) {
          if (p.signal === 'queries') queriesRun += p.requests;
          else if (p.kind === 'stored') stored[p.signal] = { rows: p.items, bytes: p.bytes };
          else if (p.kind === 'accepted') {
            for (const m of ['requests', 'items', 'bytes'] as const)
              usage[`${p.signal} accepted ${m}`] = (usage[`${p.signal} accepted ${m}`] ?? 0) + p[m];
          } else {
            const key = `${p.signal} refused ${p.reason}`;
            if (p.requests > 0) usage[key] = (usage[key] ?? 0) + p.requests;
            // Items refused on their own, in a request otherwise accepted (partial success).
            const items = `${p.signal} refused items ${p.reason}`;
            if (p.items > 0) usage[items] = (usage[items] ?? 0) + p.items;
          }
        }
        const storedLogs = stored.logs?.rows === seen['logs accepted items'];
        return JSON.stringify(sorted(usage)) === JSON.stringify(sorted(seen)) && queriesRun >= 1 && storedLogs
          ? true
          : undefined;
      },
      10_000,
    ).catch(() => undefined);
    assert.deepEqual(sorted(usage), sorted(seen), `log: ${server.log.slice(-5).join('\n')}`);
    assert.ok(queriesRun >= 1, 'the query answered above is counted');
    // Stored: the log records accepted are the logs table's rows of this tenant, on disk in some bytes.
    assert.equal(
      stored.logs?.rows,
      seen['logs accepted items'],
      `${JSON.stringify(stored)} ${server.log.filter((l) => l.includes('usage')).join('\n')}`,
    );
    for (const signal of ['traces', 'metrics', 'logs'])
      assert.ok((stored[signal]?.bytes ?? 0) > 0, JSON.stringify(stored));
  });
});

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
