// `pnpm bench:ingest`: end-to-end ingest throughput of the all-in-one.
//
// This process hosts the all-in-one (embedded ClickHouse and Postgres in a fresh temp
// dir, loopback ports chosen by the OS). Load generators run as child processes and send
// pre-encoded OTLP protobuf batches over OTLP/HTTP and OTLP/gRPC for a fixed time per
// phase. A request counts only when it was answered with success and no partial
// rejection; after each phase the stored rows are counted in ClickHouse and must be at
// least the acked items. Prints acked items/s, export latency, CPU and peak RSS.
//
// Settings (environment):
//   BENCH_SECONDS            seconds per phase (default 20)
//   BENCH_WARMUP_SECONDS     traces/HTTP warm-up before the measured phases (default 3, 0 = none)
//   BENCH_GENERATORS         load-generator processes per phase (default 1)
//   BENCH_CONCURRENCY        requests in flight per generator (default 16)
//   BENCH_ITEMS_PER_REQUEST  spans / log records / data points per request (default 1000)
//   BENCH_PHASES             comma list of traces-http,traces-grpc,logs-http,metrics-http,logs-grpc,metrics-grpc,
//                            scrape-http,scrape-grpc,scrape-remote-write,cardinality-http
//   BENCH_ACTIVE_SERIES      series of the scrape phases (default 20000): a third gauges, a third
//                            cumulative counters, a third 16-bucket histograms, each reported once per
//                            pass over them (remote write: histograms as 18 classic series each)
//   BENCH_CARDINALITY_SERIES new series the cardinality phase sends, every request all new (default
//                            200000; --series-1m: 1,000,000), as fast as they are acked
//   BENCH_TARGET_SPANS       spans/s target for the trace phases (default 50000)
//   BENCH_STRICT=1           also exit non-zero when the span target is missed
//   BENCH_KEEP_DATA=1        keep the temp data dir (its path is printed)
//   --nats                   distributed path: collector → JetStream → writers, in this process,
//                            on a nats-server of the benchmark's own (BENCH_NATS_URL: another);
//                            acked = PubAck, then the writers must drain the stream before the
//                            stored rows are counted; the span target becomes 40,000/s
//   TF_NATS_*                passed through to the server
//   TF_INGEST_*              passed through to the server (workers, batch rows, batch delay)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem, type as osType, release, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Signal } from '@telemetryflow/otlp';
import { loadConfig, startAllInOne, type RunningAllInOne } from '@telemetryflow/server';
import { startBenchNats, type BenchNats } from './bench-nats.js';
import { storedItems } from './bench-store.js';
import { killGenerators, runWithWatchdog, startGenerator, withTimeout } from './generator-process.js';
import type { ReadyMessage, Transport } from './protocol.js';
import { formatInt, formatMiB, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_0123456789abcdefghijklm'; // 32 characters
const ADMIN_EMAIL = 'bench@telemetryflow.local';
const ADMIN_PASSWORD = 'bench-admin-password-2024';
const TENANT = 'default';

const UNIT: Record<Signal, string> = { traces: 'spans', logs: 'logs', metrics: 'datapoints' };

interface Phase {
  name: string;
  signal: Signal;
  transport: Transport;
  /** Scrape-like metric requests over BENCH_ACTIVE_SERIES series, or all-new series (cardinality). */
  scrape?: 'steady' | 'cardinality';
}

const ALL_PHASES: Phase[] = [
  { name: 'traces-http', signal: 'traces', transport: 'http' },
  { name: 'traces-grpc', signal: 'traces', transport: 'grpc' },
  { name: 'logs-http', signal: 'logs', transport: 'http' },
  { name: 'metrics-http', signal: 'metrics', transport: 'http' },
  { name: 'logs-grpc', signal: 'logs', transport: 'grpc' },
  { name: 'metrics-grpc', signal: 'metrics', transport: 'grpc' },
  { name: 'scrape-http', signal: 'metrics', transport: 'http', scrape: 'steady' },
  { name: 'scrape-grpc', signal: 'metrics', transport: 'grpc', scrape: 'steady' },
  { name: 'scrape-remote-write', signal: 'metrics', transport: 'remote-write', scrape: 'steady' },
  { name: 'cardinality-http', signal: 'metrics', transport: 'http', scrape: 'cardinality' },
];
const DEFAULT_PHASES = 'traces-http,traces-grpc,logs-http,metrics-http';

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

const viaNats = process.argv.includes('--nats');

const settings = {
  seconds: envInt('BENCH_SECONDS', 20, 1, 600),
  warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 3, 0, 60),
  generators: envInt('BENCH_GENERATORS', 1, 1, 16),
  concurrency: envInt('BENCH_CONCURRENCY', 16, 1, 256),
  itemsPerRequest: envInt('BENCH_ITEMS_PER_REQUEST', 1000, 1, 20_000),
  targetSpans: envInt('BENCH_TARGET_SPANS', viaNats ? 40_000 : 50_000, 0, 10_000_000),
  templates: 8,
  requestTimeoutMs: 30_000,
  strict: process.env.BENCH_STRICT === '1',
  keepData: process.env.BENCH_KEEP_DATA === '1',
  activeSeries: envInt('BENCH_ACTIVE_SERIES', 20_000, 1, 10_000_000),
  cardinalitySeries: process.argv.includes('--series-1m')
    ? 1_000_000
    : envInt('BENCH_CARDINALITY_SERIES', 200_000, 1, 10_000_000),
};

/** The cardinality phase runs until its series are sent, at least 10,000 new series/s' worth of time. */
function phaseSeconds(phase: Phase): number {
  return phase.scrape === 'cardinality'
    ? Math.min(600, Math.max(settings.seconds, Math.ceil(settings.cardinalitySeries / 10_000)))
    : settings.seconds;
}

function selectedPhases(): Phase[] {
  const names = (process.env.BENCH_PHASES || DEFAULT_PHASES)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.map((name) => {
    const phase = ALL_PHASES.find((p) => p.name === name);
    if (!phase)
      throw new Error(`unknown phase ${JSON.stringify(name)}; known: ${ALL_PHASES.map((p) => p.name).join(', ')}`);
    return phase;
  });
}

// ---------------------------------------------------------------- server-side sampling

/** Peak RSS of this process (which hosts the server), sampled every 100 ms. */
class RssSampler {
  peakAll = process.memoryUsage().rss;
  peakPhase = 0;
  private readonly timer = setInterval(() => this.sample(), 100);

  sample(): void {
    const rss = process.memoryUsage().rss;
    if (rss > this.peakAll) this.peakAll = rss;
    if (rss > this.peakPhase) this.peakPhase = rss;
  }

  resetPhase(): void {
    this.peakPhase = process.memoryUsage().rss;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function storedCount(server: RunningAllInOne, signal: Signal): Promise<number> {
  return storedItems(server.clickhouse, signal, TENANT);
}

/** Busy and total CPU time of the whole machine, all cores, in ms (from os.cpus()). */
function hostCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

// ---------------------------------------------------------------- phases

interface PhaseReport {
  phase: Phase;
  seconds: number;
  acked: number;
  storedDelta: number;
  okRequests: number;
  failedRequests: number;
  partialRequests: number;
  failures: string[];
  ackedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requestBytes: number;
  bytesPerItem: number;
  itemsPerRequest: number;
  sentMiBps: number;
  serverCpuPct: number;
  generatorCpuPct: number;
  serverPeakRss: number;
  generatorPeakRss: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU of the whole machine during the phase, in % of one core (2 cores = 200%). */
  hostCpuPct: number;
  /** JetStream only: most messages waiting for the writers, and the time to drain after the load. */
  peakLag: number;
  drainSeconds: number;
  /** Stored items per second from the start of the load until the stream was drained. */
  storedPerSecond: number;
}

/** Samples the consumer lag until `stop` resolves; returns the peak. */
async function sampleLag(nats: BenchNats, signal: Signal, stop: Promise<unknown>): Promise<number> {
  let peak = 0;
  let done = false;
  void stop.finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, await nats.lag(signal).catch(() => 0));
    await new Promise((r) => setTimeout(r, 250));
  }
  return peak;
}

/** Waits until the writers acked everything of a signal; returns the seconds it took. */
async function drain(nats: BenchNats, signal: Signal): Promise<number> {
  const start = performance.now();
  const deadline = Date.now() + 600_000;
  while ((await nats.lag(signal)) > 0) {
    if (Date.now() > deadline) throw new Error(`the writers did not drain ${signal} within 600 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - start) / 1000;
}

async function runPhase(
  server: RunningAllInOne,
  phase: Phase,
  seconds: number,
  rss: RssSampler,
  nats?: BenchNats,
): Promise<PhaseReport> {
  const before = await storedCount(server, phase.signal);
  const target = phase.transport === 'grpc' ? server.otlpGrpcAddress : server.otlpHttpUrl;
  const generators = Array.from({ length: settings.generators }, (_, index) =>
    startGenerator({
      type: 'config',
      index,
      signal: phase.signal,
      transport: phase.transport,
      target,
      apiKey: API_KEY,
      concurrency: settings.concurrency,
      durationMs: seconds * 1000,
      itemsPerRequest: settings.itemsPerRequest,
      templates: settings.templates,
      requestTimeoutMs: settings.requestTimeoutMs,
      ...(phase.scrape === 'steady' ? { scrape: { activeSeries: settings.activeSeries, newSeries: false } } : {}),
      ...(phase.scrape === 'cardinality'
        ? {
            scrape: { activeSeries: settings.itemsPerRequest, newSeries: true },
            maxItems: Math.ceil(settings.cardinalitySeries / settings.generators),
          }
        : {}),
    }),
  );
  try {
    const readies = await withTimeout(Promise.all(generators.map((g) => g.ready)), 120_000, 'generator start-up');

    const loop = monitorEventLoopDelay({ resolution: 10 });
    rss.resetPhase();
    const cpuStart = process.cpuUsage();
    const hostStart = hostCpu();
    const wallStart = performance.now();
    loop.enable();
    for (const g of generators) g.send({ type: 'go' });
    const finished = withTimeout(
      Promise.all(generators.map((g) => g.result)),
      seconds * 1000 + settings.requestTimeoutMs + 60_000,
      `phase ${phase.name}`,
    );
    const lagPeak = nats ? sampleLag(nats, phase.signal, finished) : Promise.resolve(0);
    const results = await finished;
    const drainSeconds = nats ? await drain(nats, phase.signal) : 0;
    const peakLag = await lagPeak;
    loop.disable();
    const wallMs = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    const hostEnd = hostCpu();
    rss.sample();

    const after = await storedCount(server, phase.signal);
    const latencies = results.flatMap((r) => r.latenciesMs);
    const acked = results.reduce((a, r) => a + r.ackedItems, 0);
    const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
    const genCpuMs = results.reduce((a, r) => a + r.cpuUserMs + r.cpuSystemMs, 0);
    const ready0 = readies[0] as ReadyMessage;
    return {
      phase,
      seconds: elapsedMs / 1000,
      acked,
      storedDelta: after - before,
      okRequests: results.reduce((a, r) => a + r.okRequests, 0),
      failedRequests: results.reduce((a, r) => a + r.failedRequests, 0),
      partialRequests: results.reduce((a, r) => a + r.partialRequests, 0),
      failures: [...new Set(results.flatMap((r) => r.failures))].slice(0, 5),
      ackedPerSecond: acked / (elapsedMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
      requestBytes: ready0.requestBytes,
      bytesPerItem: ready0.bytesPerItem,
      itemsPerRequest: ready0.itemsPerRequest,
      sentMiBps: results.reduce((a, r) => a + r.bytesSent, 0) / (1024 * 1024) / (elapsedMs / 1000),
      serverCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      generatorCpuPct: (genCpuMs / wallMs) * 100,
      serverPeakRss: rss.peakPhase,
      generatorPeakRss: Math.max(...results.map((r) => r.peakRssBytes)),
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
      hostCpuPct: ((hostEnd.busy - hostStart.busy) / (hostEnd.total - hostStart.total)) * cpus().length * 100,
      peakLag,
      drainSeconds,
      storedPerSecond: (after - before) / (elapsedMs / 1000 + drainSeconds),
    };
  } finally {
    for (const g of generators) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------- report

function machine(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  return [
    `machine: ${model}, ${list.length} logical CPUs (available parallelism ${availableParallelism()})`,
    `memory:  ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at start`,
    `runtime: Node ${process.version} on ${osType()} ${release()} (${process.arch})`,
  ].join('\n');
}

function printReports(reports: PhaseReport[], serverPeakAll: number): boolean {
  const rows = reports.map((r) => [
    r.phase.name,
    `${formatInt(r.acked)} ${UNIT[r.phase.signal]}`,
    formatInt(r.ackedPerSecond),
    formatInt(r.storedDelta),
    r.storedDelta >= r.acked ? 'ok' : 'MISSING',
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    `${r.okRequests}/${r.failedRequests}`,
    `${r.serverCpuPct.toFixed(0)}%`,
    `${r.generatorCpuPct.toFixed(0)}%`,
    `${r.hostCpuPct.toFixed(0)}%`,
    formatMs(r.loopDelayP99Ms),
    formatMiB(r.serverPeakRss),
    formatMiB(r.generatorPeakRss),
    ...(viaNats ? [formatInt(r.storedPerSecond), formatInt(r.peakLag), r.drainSeconds.toFixed(1)] : []),
  ]);
  console.log('');
  console.log(
    renderTable(
      [
        'phase',
        'acked',
        'acked/s',
        'stored',
        'verify',
        'p50 ms',
        'p99 ms',
        'req ok/fail',
        'srv CPU',
        'gen CPU',
        'host CPU',
        'loop p99',
        'srv RSS',
        'gen RSS',
        ...(viaNats ? ['stored/s e2e', 'peak lag msgs', 'drain s'] : []),
      ],
      rows,
    ),
  );
  if (viaNats)
    console.log(
      'acked = PubAck from JetStream; stored/s e2e = rows stored from the start of the load until the writers drained the stream.',
    );
  console.log(
    'CPU columns are % of one core (this machine: ' +
      cpus().length * 100 +
      '% max); host CPU − srv − gen = other processes.',
  );
  console.log('');
  for (const r of reports) {
    console.log(
      `${r.phase.name}: ${r.itemsPerRequest} items/request, ${formatInt(r.requestBytes)} B/request (${r.bytesPerItem} B/item), ` +
        `${r.sentMiBps.toFixed(1)} MiB/s sent over ${r.seconds.toFixed(1)} s, max latency ${formatMs(r.maxMs)} ms, event-loop delay max ${formatMs(r.loopDelayMaxMs)} ms`,
    );
    if (r.failures.length)
      console.log(`  failures (${r.failedRequests} requests, ${r.partialRequests} partial): ${r.failures.join(' | ')}`);
  }

  const best = (signal: Signal) => reports.filter((r) => r.phase.signal === signal);
  const summary = (signal: Signal) => {
    const rs = best(signal);
    if (rs.length === 0) return 'not run';
    return rs
      .map((r) => `${formatInt(r.ackedPerSecond)}/s (${r.phase.transport}, p99 ${formatMs(r.p99Ms)} ms)`)
      .join(', ');
  };
  console.log('');
  console.log(`acked spans/s:      ${summary('traces')}`);
  console.log(`acked logs/s:       ${summary('logs')}`);
  console.log(`acked datapoints/s: ${summary('metrics')}`);
  console.log(`p99 export latency: ${formatMs(Math.max(...reports.map((r) => r.p99Ms)))} ms (worst phase)`);
  console.log(
    `peak RSS:           server process ${formatMiB(serverPeakAll)}, load generator ${formatMiB(Math.max(...reports.map((r) => r.generatorPeakRss)))} (each)`,
  );

  const traceRuns = best('traces');
  // Through JetStream the target is end to end: acked at PubAck, then stored by the writers.
  const rate = (r: PhaseReport) => (viaNats ? Math.min(r.ackedPerSecond, r.storedPerSecond) : r.ackedPerSecond);
  const targetMet = traceRuns.length > 0 && traceRuns.every((r) => rate(r) >= settings.targetSpans);
  if (traceRuns.length > 0) {
    console.log(
      `target:             ${formatInt(settings.targetSpans)} spans/s ${viaNats ? 'acked and stored end to end' : 'acked and verified'} → ${targetMet ? 'MET' : 'MISSED'} ` +
        `(${traceRuns.map((r) => `${r.phase.transport} ${formatInt(rate(r))}`).join(', ')})`,
    );
  }
  return targetMet || traceRuns.length === 0;
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const phases = selectedPhases();
  console.log(
    `TelemetryFlow ingest benchmark (all-in-one${viaNats ? ' through NATS JetStream' : ''}, OTLP protobuf, loopback)`,
  );
  console.log(machine());
  console.log(
    `settings: ${settings.seconds} s per phase, warm-up ${settings.warmupSeconds} s, ${settings.generators} generator process(es) × ` +
      `${settings.concurrency} requests in flight, ${settings.itemsPerRequest} items per request; scrape phases ` +
      `${formatInt(settings.activeSeries)} active series, cardinality ${formatInt(settings.cardinalitySeries)} new series`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'tf-bench-'));
  const env: Record<string, string | undefined> = {
    TF_HOST: '127.0.0.1',
    TF_DATA_DIR: dataDir,
    TF_HTTP_PORT: '0',
    TF_METRICS_PORT: '0',
    TF_OTLP_HTTP_PORT: '0',
    TF_OTLP_GRPC_PORT: '0',
    TF_BOOTSTRAP_API_KEY: API_KEY,
    TF_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    TF_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  for (const [k, v] of Object.entries(process.env))
    if (k.startsWith('TF_INGEST_') || k.startsWith('TF_NATS_')) env[k] = v;
  const nats = viaNats ? await startBenchNats(dataDir) : undefined;
  if (nats) {
    env.NATS_URL = nats.url;
    console.log(
      `NATS JetStream: ${nats.url}${process.env.BENCH_NATS_URL ? '' : ' (nats-server of this benchmark, file storage in the temp dir)'}`,
    );
  }
  const serverLog: string[] = [];
  const t0 = performance.now();
  let server: RunningAllInOne;
  try {
    server = await startAllInOne(loadConfig(env), (msg) => serverLog.push(msg));
  } catch (err) {
    for (const line of serverLog) console.error(line);
    await nats?.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  console.log(
    `all-in-one up in ${((performance.now() - t0) / 1000).toFixed(1)} s: OTLP/HTTP ${server.otlpHttpUrl}, OTLP/gRPC ${server.otlpGrpcAddress}, data ${dataDir}`,
  );
  const passThrough = Object.entries(env).filter(([k]) => k.startsWith('TF_INGEST_') || k.startsWith('TF_NATS_'));
  if (passThrough.length) console.log(`server settings: ${passThrough.map(([k, v]) => `${k}=${v}`).join(' ')}`);

  const rss = new RssSampler();
  let exitCode = 0;
  try {
    if (settings.warmupSeconds > 0) {
      const w = await runPhase(server, ALL_PHASES[0] as Phase, settings.warmupSeconds, rss, nats);
      console.log(
        `warm-up: ${formatInt(w.acked)} spans acked (${formatInt(w.ackedPerSecond)}/s), ${w.failedRequests} failed requests`,
      );
    }
    const reports: PhaseReport[] = [];
    for (const phase of phases) {
      process.stdout.write(`running ${phase.name} for ${settings.seconds} s … `);
      const report = await runPhase(server, phase, phaseSeconds(phase), rss, nats);
      reports.push(report);
      console.log(
        `${formatInt(report.ackedPerSecond)} ${UNIT[phase.signal]}/s acked, ${formatInt(report.storedDelta)} stored`,
      );
    }
    const targetMet = printReports(reports, rss.peakAll);
    const missing = reports.filter((r) => r.storedDelta < r.acked);
    const empty = reports.filter((r) => r.acked === 0);
    if (missing.length) {
      console.error(`VERIFY FAILED: fewer rows stored than acked in ${missing.map((r) => r.phase.name).join(', ')}`);
      exitCode = 1;
    } else if (empty.length) {
      console.error(`FAILED: nothing acked in ${empty.map((r) => r.phase.name).join(', ')}`);
      exitCode = 1;
    } else if (!targetMet && settings.strict) {
      exitCode = 1;
    }
  } finally {
    rss.stop();
    killGenerators();
    await withTimeout(server.close(), 60_000, 'server shutdown').catch((err: Error) => console.error(err.message));
    await nats?.close();
    if (settings.keepData) console.log(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  return exitCode;
}

// The benchmark always ends by itself: a watchdog bounds the whole run.
const phaseBudgetSeconds = (() => {
  try {
    return selectedPhases().reduce((a, p) => a + phaseSeconds(p) + 120, 0);
  } catch {
    return ALL_PHASES.length * (settings.seconds + 120);
  }
})();
const budgetMs = (phaseBudgetSeconds + settings.warmupSeconds + 300) * 1000;
runWithWatchdog('benchmark', budgetMs, main);
