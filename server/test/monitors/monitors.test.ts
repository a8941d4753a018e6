// Uptime monitors end to end: real targets (HTTP turned off and on, HTTPS with a certificate
// made near expiry, a TCP listener, a DNS server), probe schedulers on Postgres leases,
// results in ClickHouse read back through the API, status pages and their incidents.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertHistory, ClickHouseConditionReader, RuleScheduler } from '@telemetryflow/alerting';
import { TARGET_NOT_ALLOWED } from '@telemetryflow/probe';
import { makeCertificate, startHttpsServer, startTcpListener } from '@telemetryflow/probe/test-helpers';
import { call, startMonitorRig, SwitchableServer, type MonitorRig } from './monitor-rig.js';

let rig: MonitorRig;
const web = new SwitchableServer();

before(async () => {
  rig = await startMonitorRig('tf-monitors-');
  await web.on();
});
after(async () => {
  await web.off().catch(() => undefined);
  await rig.close();
});

async function results(
  id: string,
): Promise<{ up: boolean; error: string | null; location: string; latencyMs: number }[]> {
  const res = await rig.api(`/api/v1/monitors/${id}/results`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.results;
}

describe('uptime monitors', () => {
  it('goes down only after its retries fail, retried at the retry interval, and up at the first success', async () => {
    const probe = rig.scheduler('a');
    const m = await rig.create({
      name: 'web',
      interval: '60s',
      retries: 2,
      retryInterval: '10s',
      check: { kind: 'http', url: `http://app.test:${web.port}/health` },
    });
    assert.equal(m.status, 'pending');
    assert.equal(await rig.pass(probe), 1, 'a new monitor is checked at once');
    assert.equal((await rig.api(`/api/v1/monitors/${m.id}`)).body.data.status, 'up');
    assert.equal(await rig.pass(probe), 0, 'not due again before its next slot');
    const up = await rig.run(m.id);
    assert.ok(up.sinceLastRunMs! >= 30_000 && up.sinceLastRunMs! <= 90_000, `next slot ${up.sinceLastRunMs} ms later`);

    await web.off();
    for (const failures of [1, 2]) {
      await rig.due(m.id);
      await rig.pass(probe);
      const r = await rig.run(m.id);
      assert.deepEqual([r.status, r.failures], ['up', failures], 'retried, not down yet');
      assert.equal(r.sinceLastRunMs, 10_000, 'retried after the retry interval');
    }
    await rig.due(m.id);
    await rig.pass(probe);
    const down = (await rig.api(`/api/v1/monitors/${m.id}`)).body.data;
    assert.equal(down.status, 'down', 'down after 1 + 2 retries failed');
    assert.equal(down.lastCheck.up, false);
    assert.match(down.lastCheck.error, /refused/i);

    await web.on();
    await rig.due(m.id);
    await rig.pass(probe);
    const back = (await rig.api(`/api/v1/monitors/${m.id}`)).body.data;
    assert.equal(back.status, 'up');
    assert.equal(back.uptime24h, 2 / 5);
    const log = await results(m.id);
    assert.deepEqual(
      log.map((r) => r.up),
      [true, false, false, false, true],
      'newest first',
    );
    assert.ok(log.every((r) => r.location === 'test-lab'));
    // DDSketch quantiles are within 1 % of the true value: the p95 of five checks is near the slowest.
    const latencies = log.map((r) => r.latencyMs).sort((a, b) => a - b);
    assert.ok(latencies[4]! > 0, 'checks take time');
    assert.ok(
      back.latencyP95Ms >= latencies[3]! * 0.98 && back.latencyP95Ms <= latencies[4]! * 1.02,
      `p95 ${back.latencyP95Ms} ms of ${latencies.join(', ')} ms`,
    );
    const pages: boolean[][] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await rig.api(
        `/api/v1/monitors/${m.id}/results?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      pages.push(page.body.data.results.map((r: { up: boolean }) => r.up));
      cursor = page.body.data.nextCursor;
    }
    assert.deepEqual(pages, [[true, false], [false, false], [true]], 'pages of 2 follow each other without gaps');
    const other = await call(rig.s.api.url, `/api/v1/monitors/${m.id}/results`, { key: rig.s.betaKey });
    assert.equal(other.status, 404, "another tenant's monitor does not exist for it");
  });

  it('HTTPS: a certificate near expiry is reported and the monitor is down under its minimum days', async () => {
    const cert = await makeCertificate(5);
    const server = await startHttpsServer((_req, res) => void res.end('secure'), cert);
    try {
      const probe = rig.scheduler('tls', { context: { extraCa: [cert.cert] } });
      const m = await rig.create({
        name: 'secure',
        check: { kind: 'http', url: `https://localhost:${server.port}/`, certificateMinDaysLeft: 14 },
      });
      await rig.pass(probe);
      const got = (await rig.api(`/api/v1/monitors/${m.id}`)).body.data;
      assert.equal(got.status, 'down');
      assert.equal(got.lastCheck.statusCode, 200);
      assert.match(got.lastCheck.error, /^TLS certificate expires in [45] day\(s\), fewer than 14$/);
      assert.equal(got.lastCheck.certificateExpiresAt, cert.notAfter.toISOString());
    } finally {
      await server.close();
    }
  });

  it('TCP: up while the listener accepts, down once it is closed', async () => {
    const listener = await startTcpListener();
    const probe = rig.scheduler('tcp');
    const m = await rig.create({ name: 'tcp', check: { kind: 'tcp', host: 'app.test', port: listener.port } });
    await rig.pass(probe);
    assert.equal((await rig.run(m.id)).status, 'up');
    assert.equal(listener.connections, 1);
    await listener.close();
    await rig.due(m.id);
    await rig.pass(probe);
    assert.equal((await rig.run(m.id)).status, 'down');
  });

  it('DNS: up while the answer holds the expected address, down when it does not', async () => {
    const probe = rig.scheduler('dns');
    const m = await rig.create({
      name: 'dns',
      check: { kind: 'dns', name: 'site.test', recordType: 'A', expected: ['192.0.2.10'], resolver: rig.dns.address },
    });
    await rig.pass(probe);
    assert.equal((await rig.run(m.id)).status, 'up');
    await rig.service.update('default', m.id, {
      ...m.config,
      check: { kind: 'dns', name: 'site.test', recordType: 'A', expected: ['192.0.2.99'], resolver: rig.dns.address },
    });
    await rig.pass(probe);
    const [last] = await results(m.id);
    assert.equal(last!.up, false);
    assert.match(last!.error!, /192\.0\.2\.99/);
  });

  it('two replicas sharing Postgres run each check exactly once per interval', async () => {
    await rig.s.cp.dataSource.query('UPDATE monitors SET enabled = false');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const m = await rig.create({
        name: `fleet-${i}`,
        interval: '10s',
        check: { kind: 'http', url: `http://app.test:${web.port}/fleet/${i}` },
      });
      ids.push(m.id);
    }
    const [a, b] = [rig.scheduler('replica-a', { concurrency: 7 }), rig.scheduler('replica-b', { concurrency: 7 })];
    const before = web.requests;
    const claims = { a: 0, b: 0 };
    for (let interval = 0; interval < 3; interval++) {
      // Both replicas poll at once, twice, as they would within one interval.
      for (let poll = 0; poll < 2; poll++) {
        const [na, nb] = await Promise.all([a.tick(), b.tick()]);
        claims.a += na;
        claims.b += nb;
        await Promise.all([a.idle(), b.idle()]);
      }
      assert.equal(await rig.pass(a, b), 0, 'nothing is due again within the interval');
      await rig.due();
    }
    assert.equal(web.requests - before, 36, '12 monitors × 3 intervals');
    assert.ok(claims.a > 0 && claims.b > 0, `both replicas checked (${claims.a} / ${claims.b})`);
    for (const id of ids) assert.equal((await results(id)).length, 3, `monitor ${id}: one result per interval`);
    await rig.s.cp.dataSource.query('UPDATE monitors SET enabled = true');
    await rig.s.cp.dataSource.query('DELETE FROM monitors WHERE name LIKE $1', ['fleet-%']);
  });

  it('refuses targets aimed at 127.0.0.1 or 169.254.169.254 at creation, and names that resolve there at check time', async () => {
    for (const check of [
      { kind: 'http', url: 'http://127.0.0.1:8080/' },
      { kind: 'http', url: 'http://169.254.169.254/latest/meta-data/' },
      { kind: 'tcp', host: '169.254.169.254', port: 80 },
      { kind: 'tls', host: '127.0.0.1' },
      { kind: 'dns', name: 'example.com', resolver: '127.0.0.1:53' },
    ]) {
      const res = await rig.api('/api/v1/monitors', 'POST', { name: 'nope', check });
      assert.equal(res.status, 400, JSON.stringify(check));
      assert.match(res.body.error.message, /target address not allowed/);
    }
    const created = await rig.api('/api/v1/monitors', 'POST', {
      name: 'metadata by name',
      check: { kind: 'http', url: 'http://metadata.test/latest/meta-data/' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await rig.pass(rig.scheduler('guard'));
    const got = (await rig.api(`/api/v1/monitors/${created.body.data.id}`)).body.data;
    assert.equal(got.status, 'down');
    assert.equal(got.lastCheck.error, TARGET_NOT_ALLOWED);
  });

  it('heartbeats: a beat makes the monitor up, a reported failure down; unknown tokens are 404', async () => {
    const created = await rig.api('/api/v1/monitors', 'POST', {
      name: 'nightly backup',
      interval: '1h',
      check: { kind: 'heartbeat', grace: '10m' },
    });
    assert.equal(created.status, 201);
    const { id, heartbeatToken } = created.body.data;
    assert.match(heartbeatToken, /^[A-Za-z0-9_-]{32}$/);
    const probe = rig.scheduler('beats');
    await rig.pass(probe);
    assert.equal((await rig.run(id)).status, 'pending', 'waiting for a first beat within interval + grace');
    assert.equal((await fetch(`${rig.s.api.url}/api/v1/heartbeats/${heartbeatToken}`, { method: 'POST' })).status, 202);
    assert.ok((await rig.run(id)).dueInMs <= 0, 'the first beat makes the monitor due at once');
    await rig.pass(probe);
    assert.equal((await rig.run(id)).status, 'up');
    const fail = await fetch(`${rig.s.api.url}/api/v1/heartbeats/${heartbeatToken}?status=fail`, { method: 'POST' });
    assert.equal(fail.status, 202);
    assert.ok((await rig.run(id)).dueInMs <= 0, 'a reported failure makes the monitor due at once');
    await rig.pass(probe);
    assert.equal((await rig.run(id)).status, 'down');
    assert.equal((await results(id))[0]!.error, 'the job reported a failure');
    const unknown = await fetch(`${rig.s.api.url}/api/v1/heartbeats/${'x'.repeat(32)}`, { method: 'POST' });
    assert.equal(unknown.status, 404);
    // 2 beats so far; the token's budget is 30 a minute.
    const statuses: number[] = [];
    for (let i = 0; i < 29; i++)
      statuses.push((await fetch(`${rig.s.api.url}/api/v1/heartbeats/${heartbeatToken}`, { method: 'POST' })).status);
    assert.deepEqual(statuses, [...Array(28).fill(202), 429]);
  });

  it('a status page component bound to a monitor: incident opens when it goes down and resolves on recovery; bars from its checks', async () => {
    const m = await rig.create({
      name: 'checkout',
      interval: '30s',
      retries: 1,
      check: { kind: 'http', url: `http://app.test:${web.port}/checkout` },
    });
    const page = (await rig.api('/api/v1/status-pages', 'POST', { slug: 'shop', title: 'Shop', description: '' })).body
      .data;
    const comp = await rig.api(`/api/v1/status-pages/${page.id}/components`, 'POST', {
      name: 'Checkout',
      monitorId: m.id,
    });
    assert.equal(comp.status, 201, JSON.stringify(comp.body));
    const probe = rig.scheduler('status');
    await rig.pass(probe);
    await web.off();
    await rig.due(m.id);
    await rig.pass(probe);
    let view = (await rig.api('/status/shop/api')).body.data;
    assert.equal(view.incidents.length, 0, 'one failure is retried: no incident yet');
    await rig.due(m.id);
    await rig.pass(probe);
    view = (await rig.api('/status/shop/api')).body.data;
    assert.equal(view.components[0].status, 'major_outage');
    assert.equal(view.incidents.length, 1);
    assert.equal(view.incidents[0].title, 'Checkout: major outage');
    assert.equal(view.incidents[0].resolvedAt, null);

    await web.on();
    await rig.due(m.id);
    await rig.pass(probe);
    view = (await rig.api('/status/shop/api')).body.data;
    assert.equal(view.components[0].status, 'operational');
    assert.equal(view.incidents[0].status, 'resolved');
    const days = view.components[0].days;
    assert.equal(days.length, 90);
    assert.equal(days[89].uptimePercent, 50, '2 of 4 checks today were up');
    assert.equal(days[89].status, 'major_outage');
    assert.ok(
      days
        .slice(0, 89)
        .every(
          (d: { status: string; uptimePercent: number | null }) => d.status === 'none' && d.uptimePercent === null,
        ),
      'days without checks are no data, not uptime',
    );
    assert.equal(view.components[0].uptimePercent, 50);

    const hourly = await rig.api(
      `/api/v1/monitors/${m.id}/uptime?from=${new Date(Date.now() - 3 * 3_600_000).toISOString()}&step=1h`,
    );
    assert.equal(hourly.status, 200, JSON.stringify(hourly.body));
    assert.equal(hourly.body.data.checks, 4);
    assert.equal(hourly.body.data.up, 0.5);
    for (const b of hourly.body.data.buckets as { checks: number; p95LatencyMs: number | null }[])
      assert.ok(b.checks === 0 || (b.p95LatencyMs ?? 0) > 0, `a bucket with checks has a p95: ${JSON.stringify(b)}`);
    assert.ok(
      hourly.body.data.buckets.some((b: { checks: number }) => b.checks === 0),
      'earlier hours: no data',
    );
  });

  it('alert rules on monitors: down (for X), latency p95 above a bound, certificate expiring within N days', async () => {
    const cert = await makeCertificate(10);
    const server = await startHttpsServer((_req, res) => void res.end('ok'), cert);
    try {
      const probe = rig.scheduler('rules', { context: { extraCa: [cert.cert] } });
      const m = await rig.create({ name: 'api', check: { kind: 'http', url: `https://localhost:${server.port}/` } });
      const rule = async (name: string, condition: Record<string, unknown>) => {
        const res = await rig.api('/api/v1/alert-rules', 'POST', { name, for: '0s', condition });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.data.id as string;
      };
      const down = await rule('api down', { kind: 'monitor', monitorId: m.id, check: 'down', window: '5m' });
      const slow = await rule('api slow', {
        kind: 'monitor',
        monitorId: m.id,
        check: 'latencyP95',
        window: '5m',
        threshold: { op: 'above', value: 60_000 },
      });
      const expiring = await rule('api certificate', {
        kind: 'monitor',
        monitorId: m.id,
        check: 'certificateDays',
        window: '1h',
        threshold: { op: 'below', value: 14 },
      });
      const refused = await rig.api('/api/v1/alert-rules', 'POST', {
        name: 'no threshold',
        condition: { kind: 'monitor', monitorId: m.id, check: 'latencyP95' },
      });
      assert.equal(refused.status, 400);
      const unknown = await rig.api('/api/v1/alert-rules', 'POST', {
        name: 'unknown monitor',
        condition: { kind: 'monitor', monitorId: '00000000-0000-4000-8000-000000000000', check: 'down' },
      });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /unknown monitor/);
      const rules = new RuleScheduler({
        dataSource: rig.s.cp.dataSource,
        reader: new ClickHouseConditionReader(rig.s.ch, rig.s.reads),
        history: new AlertHistory(rig.s.ch, rig.s.reads),
        replicaId: 'rules',
      });
      const states = async () => {
        await rig.s.cp.dataSource.query('UPDATE alert_rule_leases SET due_at = now()');
        while ((await rules.tick()) > 0);
        const alerts = (await rig.api('/api/v1/alerts')).body.data as {
          ruleId: string;
          state: string;
          value: number;
        }[];
        const of = (id: string) => alerts.find((a) => a.ruleId === id);
        return { down: of(down), slow: of(slow), expiring: of(expiring) };
      };
      await rig.pass(probe);
      let now = await states();
      assert.equal(now.down?.state ?? 'inactive', 'inactive');
      assert.equal(now.slow?.state ?? 'inactive', 'inactive');
      assert.equal(now.expiring?.state, 'firing');
      assert.ok(now.expiring!.value > 9 && now.expiring!.value <= 10, `days left ${now.expiring!.value}`);

      await server.close();
      await rig.due(m.id);
      await rig.pass(probe);
      now = await states();
      assert.equal(now.down?.state, 'firing', 'the latest check failed');
      assert.equal(now.down?.value, 1);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
