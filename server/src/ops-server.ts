// Prometheus /metrics for every role, with /health and /ready for roles that have no API.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(
  host: string,
  port: number,
  registry: Registry,
  ready: () => Promise<boolean>,
): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        (err: unknown) => reply(500, 'text/plain', `${(err as Error).message}\n`),
      );
    } else if (path === '/health') {
      reply(200, 'application/json', '{"status":"ok"}');
    } else if (path === '/ready') {
      ready().then(
        (ok) => reply(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ready' : 'starting' })),
        () => reply(503, 'application/json', '{"status":"unavailable"}'),
      );
    } else {
      reply(404, 'text/plain', 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
