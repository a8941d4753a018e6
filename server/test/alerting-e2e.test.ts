// End to end: spans sent over OTLP make an alert rule fire, a local webhook receives the
// signed notification, the public status page shows the outage, and recovery resolves
// both. A second alerting replica runs against the same Postgres the whole time: each
// notification still arrives once.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  AddressGuard,
  ClickHouseConditionReader,
  HttpDelivery,
  parseCidrs,
  SIGNATURE_HEADER,
  startAlertingRole,
  TIMESTAMP_HEADER,
  type AlertingRole,
} from '@telemetryflow/alerting';
import { openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import { createQueryReads } from '@telemetryflow/query';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '@telemetryflow/identity/test-helpers';
import { CONTROL_PLANE_FEATURES } from '../src/control-plane-features.js';
import { api, API_KEY, eventually, freshDataDir, removeDir, startServer, type Started } from './helpers.js';

const SECRET = 'e2e-webhook-signing-secret';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const hook = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end('ok');
  });
});
const dataDir = freshDataDir('tf-alerting-e2e-');
let db: TestDatabase;
let server: Started;
let second: { cp: ControlPlane; delivery: HttpDelivery; role: AlertingRole; registry: Registry } | undefined;

before(async () => {
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  db = await createTestDatabase();
  server = await startServer(dataDir, {
    DATABASE_URL: db.url,
    TF_ALERTING_ALLOWED_CIDRS: '127.0.0.1/32',
    TF_ALERTING_POLL_MS: '200',
  });
  const cp = await openControlPlane({ databaseUrl: db.url, dataDir, bootstrap: {}, features: CONTROL_PLANE_FEATURES });
  const delivery = new HttpDelivery({ guard: new AddressGuard(parseCidrs('127.0.0.1/32')) });
  const reads = createQueryReads(server.running.clickhouse!);
  const registry = new Registry();
  const role = startAlertingRole({
    dataSource: cp.dataSource,
    clickhouse: server.running.clickhouse,
    reader: new ClickHouseConditionReader(server.running.clickhouse, reads),
    reads,
    delivery,
    pollMs: 200,
    log: () => {},
    registry,
  });
  second = { cp, delivery, role, registry };
});

after(async () => {
  await second?.role.stop();
  await second?.delivery.close();
  await second?.cp.close();
  await server?.running.close();
  await db?.drop();
  await new Promise((r) => hook.close(r));
  removeDir(dataDir);
});

/** OTLP/HTTP JSON: `n` server spans of service `shop` ending now, `errors` of them failed. */
async function sendSpans(n: number, errors: number): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'POST /buy',
    kind: 2,
    startTimeUnixNano: String(now - 5_000_000n),
    endTimeUnixNano: String(now),
    status: { code: i < errors ? 2 : 1 },
  }));
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans }],
      },
    ],
  };
  const res = await fetch(`${server.running.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
}

async function post(path: string, body: unknown): Promise<{ id: string }> {
  const res = await api<{ data: { id: string } }>(server.running.apiUrl, path, API_KEY, { method: 'POST', body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data;
}

function kinds(): string[] {
  return received.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
}

test('OTLP spans → rule fires → signed webhook and status page outage → recovery resolves both, each notification once with two replicas', async () => {
  const { port } = hook.address() as AddressInfo;
  const channel = await post('/api/v1/notification-channels', {
    type: 'webhook',
    name: 'e2e',
    url: `http://127.0.0.1:${port}/hook`,
    secret: SECRET,
  });
  const rule = await post('/api/v1/alert-rules', {
    name: 'shop errors',
    severity: 'critical',
    interval: '1s',
    for: '0s',
    groupWait: '0s',
    channels: [channel.id],
    groupBy: ['service'],
    condition: {
      kind: 'span',
      measure: 'error_rate',
      service: 'shop',
      window: '10s',
      threshold: { op: 'above', value: 0.5 },
    },
    annotations: { summary: '{{ $labels.service }} fails {{ $value }} of requests' },
  });
  const page = await post('/api/v1/status-pages', { slug: 'shop', title: 'Shop' });
  await post(`/api/v1/status-pages/${page.id}/components`, { name: 'Checkout', ruleIds: [rule.id] });

  await sendSpans(10, 9);
  await eventually('the firing webhook', async () => (kinds().includes('firing') ? true : undefined), 20_000);
  const firing = received[0]!;
  const ts = firing.headers[TIMESTAMP_HEADER] as string;
  assert.equal(
    firing.headers[SIGNATURE_HEADER],
    `v1=${createHmac('sha256', SECRET).update(`${ts}.${firing.body}`).digest('hex')}`,
  );
  const alert = JSON.parse(firing.body) as {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    value: number;
  };
  assert.equal(alert.labels.service, 'shop');
  assert.equal(alert.annotations.summary, 'shop fails 0.9 of requests');

  const outage = await api<{ data: { status: string } }>(server.running.apiUrl, '/status/shop/api', undefined);
  assert.equal(outage.body.data.status, 'major_outage');
  const html = await (await fetch(`${server.running.apiUrl}/status/shop`)).text();
  assert.match(html, /Checkout: major outage/);

  // Recovery: the failed spans leave the 10 s window and healthy ones arrive.
  const recoverBy = Date.now() + 30_000;
  await eventually(
    'the resolved webhook',
    async () => {
      if (Date.now() > recoverBy) return true;
      await sendSpans(5, 0);
      return kinds().includes('resolved') ? true : undefined;
    },
    40_000,
  );
  assert.deepEqual(kinds(), ['firing', 'resolved'], 'each notification once, though two replicas run');
  const recovered = await api<{ data: { status: string; incidents: { status: string }[] } }>(
    server.running.apiUrl,
    '/status/shop/api',
    undefined,
  );
  assert.equal(recovered.body.data.status, 'operational');
  assert.equal(recovered.body.data.incidents[0]!.status, 'resolved');
  // Instead of a quiet second: three more evaluations of the rule (interval 1 s) ran after the
  // resolve, and the outbox holds nothing left to send.
  const evaluations = async () => {
    const text =
      (await (await fetch(`${server.running.metricsUrl}/metrics`)).text()) + (await second!.registry.metrics());
    return [...text.matchAll(/^tf_alerting_evaluations_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };
  const evaluatedBefore = await evaluations();
  await eventually(
    'three more evaluations and an empty outbox',
    async () => {
      if ((await evaluations()) < evaluatedBefore + 3) return undefined;
      const [{ n }] = await second!.cp.dataSource.query(
        "SELECT count(*)::int AS n FROM alert_notifications WHERE status IN ('pending', 'sending')",
      );
      return n === 0 ? true : undefined;
    },
    30_000,
  );
  assert.deepEqual(kinds(), ['firing', 'resolved'], 'and nothing more');

  // Both replicas report at /metrics; together they sent the two notifications.
  const text =
    (await (await fetch(`${server.running.metricsUrl}/metrics`)).text()) + (await second!.registry.metrics());
  const total = (name: string) =>
    [...text.matchAll(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'gm'))].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
  assert.equal(total('tf_alerting_notifications_total{channel="webhook",outcome="sent"}'), 2);
  assert.ok(total('tf_alerting_evaluations_total{outcome="ok"}') >= 2);
});

test('an uptime monitor created through the API is checked by the all-in-one probe role; its result reads back from ClickHouse', async () => {
  const target = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
    const created = await api<{ data: { id: string } }>(server.running.apiUrl, '/api/v1/monitors', API_KEY, {
      method: 'POST',
      body: { name: 'e2e site', check: { kind: 'http', url } },
    });
    assert.equal(created.status, 201);
    type Monitor = { status: string; lastCheck: { up: boolean; location: string; statusCode: number } | null };
    const checked = await eventually('the first check stored', async () => {
      const m = await api<{ data: Monitor }>(
        server.running.apiUrl,
        `/api/v1/monitors/${created.body.data.id}`,
        API_KEY,
      );
      return m.body.data.lastCheck ? m.body.data : undefined;
    });
    assert.equal(checked.status, 'up');
    assert.deepEqual(checked.lastCheck, { ...checked.lastCheck, up: true, location: 'local', statusCode: 200 });
  } finally {
    await new Promise((r) => target.close(r));
  }
});
