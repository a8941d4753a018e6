// A real Prometheus (Debian's 2.42) that scrapes an exporter the test serves and remote-writes
// to TelemetryFlow, and the exporter itself: Prometheus text exposition with a gauge, a
// counter and a classic histogram whose values move on every scrape.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrometheus, type RunningPrometheus } from '@telemetryflow/promql/test-reference';

export { prometheusUnavailable, type RunningPrometheus } from '@telemetryflow/promql/test-reference';

export interface TestExporter {
  readonly target: string;
  /** Scrapes served so far. */
  readonly scrapes: number;
  close(): Promise<void>;
}

/** Serves `/metrics`: every scrape moves the gauge, adds to the counter and observes into the histogram. */
export async function startExporter(): Promise<TestExporter> {
  let scrapes = 0;
  const server: Server = createHttpServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    const n = scrapes;
    // Observations 0.05 × n, 0.3 × n, 2 × n per scrape so far: buckets, sum and count all move.
    const fast = n;
    const medium = 2 * n;
    const slow = n;
    const sum = 0.25 * n * (n + 1) + 0.5 * n;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# HELP rw_test_temperature_celsius A gauge that moves up and down.',
        '# TYPE rw_test_temperature_celsius gauge',
        `rw_test_temperature_celsius{room="lab"} ${20 + (n % 5) * 0.5}`,
        `rw_test_temperature_celsius{room="hall"} ${-3 - n}`,
        '# HELP rw_test_requests_total A counter.',
        '# TYPE rw_test_requests_total counter',
        `rw_test_requests_total{code="200",method="GET"} ${10 * n}`,
        `rw_test_requests_total{code="500",method="GET"} ${n}`,
        '# HELP rw_test_latency_seconds A classic histogram.',
        '# TYPE rw_test_latency_seconds histogram',
        `rw_test_latency_seconds_bucket{le="0.1"} ${fast}`,
        `rw_test_latency_seconds_bucket{le="0.5"} ${fast + medium}`,
        `rw_test_latency_seconds_bucket{le="+Inf"} ${fast + medium + slow}`,
        `rw_test_latency_seconds_sum ${sum}`,
        `rw_test_latency_seconds_count ${fast + medium + slow}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    get scrapes() {
      return scrapes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RemoteWriteTarget {
  /** e.g. http://127.0.0.1:4318/api/v1/push */
  url: string;
  /** Queue name in Prometheus' own metrics (remote_name). */
  name: string;
  /** Basic auth with the API key as password. */
  password: string;
}

function configYaml(job: string, target: string, remotes: readonly RemoteWriteTarget[]): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    `  - job_name: ${job}`,
    '    static_configs:',
    `      - targets: ['${target}']`,
    'remote_write:',
  ];
  for (const r of remotes) {
    lines.push(
      `  - url: ${r.url}`,
      `    name: ${r.name}`,
      '    basic_auth:',
      '      username: prometheus',
      `      password: ${r.password}`,
      '    queue_config:',
      '      batch_send_deadline: 500ms',
      '      min_backoff: 100ms',
      '      max_backoff: 500ms',
      '    metadata_config:',
      '      send: true',
      '      send_interval: 1s',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Prometheus scraping `target` every second as job `job`, remote-writing to every `remotes` entry. */
export function startScrapingPrometheus(
  job: string,
  target: string,
  remotes: readonly RemoteWriteTarget[],
): Promise<RunningPrometheus> {
  return startPrometheus({ config: configYaml(job, target, remotes), flags: [] });
}

/** One series' samples: labels (with __name__) and [ms, value] pairs in time order. */
export interface SeriesSamples {
  labels: Record<string, string>;
  samples: [number, number][];
}

/** Every raw sample of the series matching `selector` in (`atMs` − `windowMs`, `atMs`], from Prometheus' TSDB. */
export async function prometheusSamples(
  url: string,
  selector: string,
  atMs: number,
  windowMs: number,
): Promise<SeriesSamples[]> {
  const params = new URLSearchParams({
    query: `${selector}[${Math.ceil(windowMs / 1000)}s]`,
    time: String(atMs / 1000),
  });
  const res = await fetch(`${url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(30_000) });
  const body = (await res.json()) as {
    status: string;
    data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  if (body.status !== 'success' || body.data.resultType !== 'matrix')
    throw new Error(`prometheus query failed: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => ({
    labels: r.metric,
    samples: r.values.map(([t, v]): [number, number] => [Math.round(t * 1000), Number(v)]),
  }));
}

/** The value of a metric of Prometheus' own /metrics with the given label, summed over its other labels. */
export async function prometheusSelfMetric(url: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(label)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
