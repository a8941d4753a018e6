// Live tail on the all-in-one (in-process hand-off): real OTLP through the collector,
// real socket.io clients on the API port.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type {
  DashboardRenderDto,
  DashboardSummaryDto,
  LiveAck,
  LiveDashboardRender,
  LogDto,
  SpanDto,
} from '@telemetryflow/contract';
import {
  api,
  API_KEY,
  createTenantWithKeys,
  eventually,
  freshDataDir,
  removeDir,
  startServer,
  type Started,
} from './helpers.js';
import { connectError, connectLive, otlpLogs, otlpSpans, postOtlp, traceId, type LiveClient } from './live-rig.js';

let server: Started;
let dataDir: string;
let otherKey: string;
let ingestOnlyKey: string;
const clients: LiveClient[] = [];

before(async () => {
  dataDir = freshDataDir('tf-live-');
  server = await startServer(dataDir);
  [otherKey, ingestOnlyKey] = (
    await createTenantWithKeys(server.running.apiUrl, 'Other', [['ingest', 'read'], ['ingest']])
  ).keys as [string, string];
});

after(async () => {
  for (const c of clients) c.close();
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

async function client(token: string, opts: { ack?: boolean } = {}): Promise<LiveClient> {
  const c = await connectLive(server.running.apiUrl, token, opts);
  clients.push(c);
  return c;
}

const logsOf = (c: LiveClient, sub: string): LogDto[] =>
  c.deliveries.filter((d) => d.subscription === sub).flatMap((d) => d.items as LogDto[]);
const bodyOf = (l: LogDto): unknown => (l.body as { stringValue?: string }).stringValue;

// "Nothing else arrives" is shown by a marker rather than a quiet period: the writer hands a
// request's rows to the live tail before the collector acknowledges it, and each subscription
// delivers in order, so once a marker posted afterwards arrived, every earlier item had its chance.
// (It says "timeout" to pass the text filter of the first log test.)
const MARKER = 'marker: every earlier item was delivered, no timeout';
const markerArrived = (c: LiveClient, sub: string) => async () =>
  logsOf(c, sub).map(bodyOf).includes(MARKER) ? true : undefined;
const withoutMarker = (logs: LogDto[]): LogDto[] => logs.filter((l) => bodyOf(l) !== MARKER);

test('a connection needs a credential with read permission', async () => {
  const { apiUrl } = server.running;
  assert.match(String(await connectError(apiUrl, undefined)), /auth\.token/);
  assert.match(String(await connectError(apiUrl, 'tf_not_a_real_key_000000000000000')), /unknown, expired or revoked/);
  assert.match(String(await connectError(apiUrl, ingestOnlyKey)), /lacks the "read" permission/);
  assert.equal(await connectError(apiUrl, API_KEY), null);
});

test('an invalid subscription is refused with the offending field', async () => {
  const c = await client(API_KEY);
  await assert.rejects(
    c.subscribe({ signal: 'logs', filter: { minSeverity: 'LOUD' as 'WARN' } }),
    /invalid_parameter: filter\.minSeverity/,
  );
  await assert.rejects(c.subscribe({ signal: 'metrics' as 'logs' }), /invalid_parameter: signal/);
});

test('matching logs are pushed to the subscriber once the collector acknowledged them; others are not', async () => {
  const c = await client(API_KEY);
  const sub = await c.subscribe({
    signal: 'logs',
    filter: { service: 'checkout', minSeverity: 'WARN', text: 'Timeout', attributes: { region: 'eu' } },
  });
  const request = otlpLogs([
    { service: 'checkout', body: 'upstream timeout after 3s', severityNumber: 17, attributes: { region: 'eu' } },
    { service: 'checkout', body: 'timeout, retrying', severityNumber: 9, attributes: { region: 'eu' } },
    { service: 'payments', body: 'timeout talking to bank', severityNumber: 17, attributes: { region: 'eu' } },
    { service: 'checkout', body: 'disk full', severityNumber: 21, attributes: { region: 'eu' } },
    { service: 'checkout', body: 'TIMEOUT in us', severityNumber: 13, attributes: { region: 'us' } },
    { service: 'checkout', body: 'second Timeout', severityNumber: 13, attributes: { region: 'eu' } },
  ]);
  await postOtlp(server.running.otlpHttpUrl, API_KEY, '/v1/logs', request);
  const acked = Date.now();
  const got = await eventually(
    'two matching logs',
    async () => (logsOf(c, sub).length >= 2 ? logsOf(c, sub) : undefined),
    5000,
  );
  const arrived = Math.max(...c.deliveries.map((d) => d.at));
  // A safety bound, not a speed claim: the rows are handed over before the ack and wait only the 50 ms flush.
  assert.ok(arrived - acked <= 2000, `arrived ${arrived - acked} ms after the ack`);
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/logs',
    otlpLogs([{ service: 'checkout', body: MARKER, severityNumber: 17, attributes: { region: 'eu' } }]),
  );
  await eventually('the marker', markerArrived(c, sub), 5000);
  assert.deepEqual(withoutMarker(logsOf(c, sub)).map(bodyOf).sort(), ['second Timeout', 'upstream timeout after 3s']);
  assert.equal(got[0]!.serviceName, 'checkout');
  assert.ok(/^\d{19}$/.test(got[0]!.timeUnixNano), got[0]!.timeUnixNano);
});

test('spans follow a trace id filter', async () => {
  const c = await client(API_KEY);
  const wanted = traceId();
  const sub = await c.subscribe({ signal: 'spans', filter: { traceId: wanted.toUpperCase() } });
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/traces',
    otlpSpans('frontend', [
      { name: 'GET /cart', traceId: wanted },
      { name: 'GET /other', traceId: traceId() },
    ]),
  );
  const spans = await eventually(
    'the span of the trace',
    async () => {
      const s = c.deliveries.filter((d) => d.subscription === sub).flatMap((d) => d.items as SpanDto[]);
      return s.length > 0 ? s : undefined;
    },
    3000,
  );
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/traces',
    otlpSpans('frontend', [{ name: MARKER, traceId: wanted }]),
  );
  const delivered = () =>
    c.deliveries.flatMap((d) => (d.items as SpanDto[]).map((s) => [s.traceId, s.name, s.serviceName, s.kind]));
  await eventually(
    'the marker span',
    async () => (delivered().some(([, name]) => name === MARKER) ? true : undefined),
    3000,
  );
  assert.deepEqual(
    delivered().filter(([, name]) => name !== MARKER),
    [[wanted, 'GET /cart', 'frontend', 'SPAN_KIND_SERVER']],
  );
  assert.equal(spans[0]!.parentSpanId, '');
});

test("a tenant never sees another tenant's items, even with the same service names", async () => {
  const mine = await client(API_KEY);
  const theirs = await client(otherKey);
  const mineSub = await mine.subscribe({ signal: 'logs', filter: { service: 'shared' } });
  const theirSub = await theirs.subscribe({ signal: 'logs', filter: { service: 'shared' } });
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/logs',
    otlpLogs([{ service: 'shared', body: 'default tenant line', severityNumber: 9 }]),
  );
  await postOtlp(
    server.running.otlpHttpUrl,
    otherKey,
    '/v1/logs',
    otlpLogs([{ service: 'shared', body: 'other tenant line', severityNumber: 9 }]),
  );
  await eventually(
    'both tenants got their line',
    async () => (logsOf(mine, mineSub).length > 0 && logsOf(theirs, theirSub).length > 0 ? true : undefined),
    3000,
  );
  // Posted after both lines, each tenant's marker arrives after anything the other tenant's line could have caused.
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/logs',
    otlpLogs([{ service: 'shared', body: MARKER, severityNumber: 9 }]),
  );
  await postOtlp(
    server.running.otlpHttpUrl,
    otherKey,
    '/v1/logs',
    otlpLogs([{ service: 'shared', body: MARKER, severityNumber: 9 }]),
  );
  await eventually('my marker', markerArrived(mine, mineSub), 3000);
  await eventually('their marker', markerArrived(theirs, theirSub), 3000);
  assert.deepEqual(withoutMarker(logsOf(mine, mineSub)).map(bodyOf), ['default tenant line']);
  assert.deepEqual(withoutMarker(logsOf(theirs, theirSub)).map(bodyOf), ['other tenant line']);
});

test('a client that stops acknowledging loses newer items with a notice, then is disconnected; a fast client gets everything', async () => {
  const slow = await client(API_KEY, { ack: false });
  const fast = await client(API_KEY);
  const slowSub = await slow.subscribe({ signal: 'logs', filter: { service: 'flood' } });
  const fastSub = await fast.subscribe({ signal: 'logs', filter: { service: 'flood' } });
  const perRequest = 1000;
  const requests = 4;
  for (let r = 0; r < requests; r++) {
    const records = Array.from({ length: perRequest }, (_, i) => ({
      service: 'flood',
      body: `line ${r * perRequest + i}`,
      severityNumber: 9,
    }));
    await postOtlp(server.running.otlpHttpUrl, API_KEY, '/v1/logs', otlpLogs(records));
    await eventually(
      'the fast client kept up',
      async () => (logsOf(fast, fastSub).length === (r + 1) * perRequest ? true : undefined),
      5000,
    );
  }
  // The slow client holds one unacknowledged delivery (500 items) and at most 2000 waiting;
  // the rest is dropped and it is told so.
  await eventually(
    'a drop notice',
    async () => slow.notices.find((n) => n.code === 'items_dropped' && n.subscription === slowSub),
    5000,
  );
  assert.equal(slow.deliveries.length, 1);
  assert.ok(logsOf(slow, slowSub).length <= 500, `${logsOf(slow, slowSub).length} items delivered`);
  const disconnected = new Promise<string>((resolve) => slow.socket.once('disconnect', resolve));
  await eventually(
    'the stall notice',
    async () => slow.notices.find((n) => n.code === 'slow_client_disconnected'),
    20_000,
  );
  assert.equal(await disconnected, 'io server disconnect');
  assert.equal(logsOf(fast, fastSub).length, requests * perRequest);
  assert.deepEqual(logsOf(fast, fastSub).map(bodyOf).slice(0, 2), ['line 0', 'line 1']);
});

test('dashboard live mode pushes a fresh render every interval; another tenant cannot follow the dashboard', async () => {
  const list = await api<{ data: DashboardSummaryDto[] }>(server.running.apiUrl, '/api/v1/dashboards', API_KEY);
  const overview = list.body.data.find((d) => d.builtIn === 'service-overview')!;
  const c = await client(API_KEY);
  const renders: DashboardRenderDto[] = [];
  c.socket.on('dashboard', (msg: LiveDashboardRender, ack: () => void) => {
    renders.push(msg.data);
    ack();
  });
  const requests = (r: DashboardRenderDto) => {
    const panel = r.panels.find((p) => p.title === 'Requests')!;
    assert.equal(panel.status, 'ok', JSON.stringify(panel));
    return panel.status === 'ok' && panel.kind === 'series'
      ? panel.data.series.flatMap((s) => s.points).reduce((n, [, v]) => n + (v ?? 0), 0)
      : NaN;
  };
  const service = `live-dash-${Date.now()}`;
  const answer = (await c.socket.timeout(10_000).emitWithAck('dashboard:subscribe', {
    dashboardId: overview.id,
    intervalSeconds: 5,
    lastSeconds: 600,
    variables: { service },
  })) as LiveAck;
  assert.ok('data' in answer, JSON.stringify(answer));
  const first = await eventually('the first render', async () => renders[0], 10_000);
  assert.equal(first.dashboardId, overview.id);
  assert.deepEqual(first.variables, { service });
  const before = requests(first);
  assert.equal(before, 0);
  await postOtlp(
    server.running.otlpHttpUrl,
    API_KEY,
    '/v1/traces',
    otlpSpans(service, [
      { name: 'GET /a', traceId: traceId() },
      { name: 'GET /b', traceId: traceId() },
    ]),
  );
  const refreshed = await eventually(
    'a render with the new spans',
    async () => renders.slice(1).find((r) => requests(r) === before + 2),
    15_000,
  );
  assert.ok(refreshed.toMs > first.toMs);

  const other = await client(otherKey);
  const refused = (await other.socket
    .timeout(10_000)
    .emitWithAck('dashboard:subscribe', { dashboardId: overview.id, intervalSeconds: 5 })) as LiveAck;
  assert.deepEqual('error' in refused && refused.error.code, 'not_found');
});
