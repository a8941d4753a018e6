// The monitors' integration rig: the alerting stores and API (real Postgres, embedded
// ClickHouse), probe schedulers on leases writing straight to ClickHouse, a DNS server
// giving test names loopback (or refused) addresses, and an HTTP server the test can turn
// off and on at the same port.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AddressGuard,
  MonitorResultsReader,
  MonitorResultsWriter,
  MonitorRunStore,
  MonitorsService,
  parseCidrs,
} from '@telemetryflow/alerting';
import { MonitorInputSchema, type MonitorDto } from '@telemetryflow/contract/monitors';
import { MonitorScheduler, type CheckContext } from '@telemetryflow/probe';
import { startDnsServer, type DnsServer } from '@telemetryflow/probe/test-helpers';
import { call, startAlertingStores, type AlertingStores, type Json } from '../alerting/stores.js';

export { call, type Json };

/** The probe's guard in these tests: loopback 127.0.0.1 allowed explicitly (the targets live there), everything else private refused. */
export const LOOPBACK_ALLOWED = new AddressGuard(parseCidrs('127.0.0.1/32'));

export interface MonitorRig {
  s: AlertingStores;
  dns: DnsServer;
  /** Monitors created with the loopback-allowing guard (what a self-hoster allow-lists). */
  service: MonitorsService;
  scheduler(replicaId: string, opts?: { concurrency?: number; context?: Partial<CheckContext> }): MonitorScheduler;
  create(input: Record<string, unknown>): Promise<MonitorDto>;
  /** Makes a monitor due now (the fake clock of these tests: no waiting for its slot). */
  due(id?: string): Promise<void>;
  /** One scheduler pass: claims due monitors and waits for their checks. */
  pass(...schedulers: MonitorScheduler[]): Promise<number>;
  run(id: string): Promise<{ status: string; failures: number; dueInMs: number; sinceLastRunMs: number | null }>;
  api(path: string, method?: string, body?: unknown): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

export async function startMonitorRig(prefix: string): Promise<MonitorRig> {
  const s = await startAlertingStores(prefix);
  const dns = await startDnsServer({
    'app.test': { A: ['127.0.0.1'] },
    localhost: { A: ['127.0.0.1'] },
    'metadata.test': { A: ['169.254.169.254'] },
    'site.test': { A: ['192.0.2.10'] },
  });
  const reader = new MonitorResultsReader(s.reads.reader);
  const service = new MonitorsService(s.cp.dataSource, LOOPBACK_ALLOWED, reader);
  const writer = new MonitorResultsWriter(s.ch);
  const runs = new MonitorRunStore(s.cp.dataSource);
  return {
    s,
    dns,
    service,
    scheduler: (replicaId, opts = {}) =>
      new MonitorScheduler({
        runs,
        context: { guard: LOOPBACK_ALLOWED, resolve: dns.resolve, ...opts.context },
        location: 'test-lab',
        replicaId,
        publish: (records) => writer.write(records),
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      }),
    create: (input) => service.create('default', MonitorInputSchema.parse(input)),
    async due(id) {
      await s.cp.dataSource.query(
        id === undefined
          ? 'UPDATE monitor_runs SET due_at = now()'
          : 'UPDATE monitor_runs SET due_at = now() WHERE monitor_id = $1',
        id === undefined ? [] : [id],
      );
    },
    async pass(...schedulers) {
      const claimed = await Promise.all(schedulers.map((x) => x.tick()));
      await Promise.all(schedulers.map((x) => x.idle()));
      return claimed.reduce((a, b) => a + b, 0);
    },
    async run(id) {
      const [r] = await s.cp.dataSource.query(
        `SELECT status, consecutive_failures AS failures,
           (extract(epoch FROM due_at - now()) * 1000)::int AS due_in_ms,
           (extract(epoch FROM due_at - last_run_at) * 1000)::int AS since_last_run_ms
         FROM monitor_runs WHERE monitor_id = $1`,
        [id],
      );
      return { status: r.status, failures: r.failures, dueInMs: r.due_in_ms, sinceLastRunMs: r.since_last_run_ms };
    },
    async api(path, method = 'GET', body) {
      const res = await call(s.api.url, path, { key: s.key, method, ...(body !== undefined ? { body } : {}) });
      return { status: res.status, body: res.body };
    },
    async close() {
      await dns.close();
      await s.close();
    },
  };
}

/** An HTTP server answering 200 `ok` that the test turns off and on again at the same port. */
export class SwitchableServer {
  private server: Server | undefined;
  requests = 0;
  port = 0;

  async on(): Promise<void> {
    const server = (this.server = createServer((req, res) => {
      this.requests++;
      res.end('ok');
    }));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async off(): Promise<void> {
    const server = this.server;
    assert.ok(server, 'the server is on');
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
