import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The reference: Debian's Prometheus 2.42 on a free loopback port with a temporary TSDB — by
// default with the remote-write receiver on and an out-of-order window wide enough for
// backfilled test data; other tests (server/test's remote-write test, through
// `@telemetryflow/promql/test-reference`) give it their own configuration.

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** Why the reference tests cannot run here, or undefined. In CI a missing binary is a failure. */
export function prometheusUnavailable(what = 'Prometheus reference tests'): string | undefined {
  if (existsSync(PROMETHEUS_BINARY)) return undefined;
  if (process.env.CI) throw new Error(`${PROMETHEUS_BINARY} is required in CI (apt-get install prometheus)`);
  return `${PROMETHEUS_BINARY} is not installed: ${what} skipped (CI runs them)`;
}

export interface PrometheusOptions {
  /** prometheus.yml; by default a 3650-day out-of-order window and no scrapes. */
  config?: string;
  /** Flags besides config, TSDB path, listen address and log level; by default the remote-write receiver. */
  flags?: readonly string[];
}

const DEFAULT_OPTIONS: Required<PrometheusOptions> = {
  config: 'global:\n  scrape_interval: 15s\nstorage:\n  tsdb:\n    out_of_order_time_window: 3650d\n',
  flags: ['--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=100y'],
};

export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Prometheus takes no port 0 it would report back, so a free port is picked ahead; when
 * someone else binds it before Prometheus does, Prometheus exits and is started on another.
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const { config, flags } = { ...DEFAULT_OPTIONS, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrometheusOnFreePort(config, flags);
    } catch (err) {
      if (attempt >= 5 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startPrometheusOnFreePort(configYaml: string, flags: readonly string[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, configYaml);
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready in 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, stop };
}

/** POSTs a form to Prometheus' API and returns the raw body and status. */
export async function prometheusApi(
  url: string,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.text() };
}
