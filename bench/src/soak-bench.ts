// `pnpm bench:soak`: a concurrency soak of the all-in-one — not a speed test. Issue 15: under
// concurrent load the embedded control plane answered valid credentials 401, lost writes
// and bound one request's values to another's. This runs a busy team's API traffic against
// a fresh all-in-one while OTLP ingest runs, and counts every error and every wrong answer.
//
// For each control plane (the embedded Postgres of the defaults, and a Postgres server):
//   1. start the all-in-one on a fresh data dir (and, for Postgres, a throwaway database);
//   2. through the API: the admin logs in, creates the tenants, a key and member users in
//      each; each tenant sends a trace, a log record and a metric of its own;
//   3. measure OTLP ingest capacity (traces over HTTP from a load-generator process, at full
//      speed for a few seconds) unless given, then keep ingest running at half of it;
//   4. run `--calls` API requests, `--concurrency` at a time, across the tenants: reads of
//      services, traces, logs and metrics (only the tenant's own data, exactly), dashboards,
//      alert rules and channels created and read back, logins, API-key use, keys created,
//      used and revoked (`soak-calls.ts`);
//   5. stop ingest and count the stored spans: every acked span must be there.
// Prints errors by kind, wrong answers by kind, latency p50/p95 per call, the ingest figures
// and the duration; exits 1 on any error, wrong answer or missing span.
//
// Flags:
//   --calls N             API requests (default 10000)
//   --concurrency N       requests in flight (default 64)
//   --tenants N           tenants created through the API (default 4, at least 2)
//   --ingest-rate N       OTLP spans/s during the soak (default: half the measured capacity)
//   --capacity-seconds N  how long capacity is measured (default 5)
//   --mode M              embedded, postgres or both (default both)
// The Postgres mode creates and drops a database on TF_TEST_POSTGRES_URL's server (default
// postgres://postgres@127.0.0.1:5432/postgres).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@telemetryflow/query/test-helpers';
import { loadConfig, startAllInOne, type RunningAllInOne } from '@telemetryflow/server';
import { storedItems } from './bench-store.js';
import { killGenerators, runWithWatchdog, startGenerator, withTimeout } from './generator-process.js';
import type { GeneratorConfig, GeneratorResult } from './protocol.js';
import { LOGIN_SHARE, runOperations } from './soak-calls.js';
import { Ledger, SoakApi } from './soak-client.js';
import { createTenants, type SoakTenant } from './soak-tenants.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const BOOTSTRAP_KEY = 'tf_soak_0123456789abcdefghijklmn';
const ADMIN = { email: 'soak-admin@telemetryflow.local', password: 'soak-admin-password-2024' };
/** The login limits hold per e-mail (10 per 5 minutes): enough users that each logs in a few times. */
const LOGINS_PER_USER = 4;

type Mode = 'embedded' | 'postgres';

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    tenants: { type: 'string', default: '4' },
    'ingest-rate': { type: 'string' },
    'capacity-seconds': { type: 'string', default: '5' },
    mode: { type: 'string', default: 'both' },
  },
});

function intFlag(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

const settings = {
  calls: intFlag('calls', flags.calls, 1, 10_000_000),
  concurrency: intFlag('concurrency', flags.concurrency, 1, 1024),
  tenants: intFlag('tenants', flags.tenants, 2, 100),
  ingestRate:
    flags['ingest-rate'] === undefined ? undefined : intFlag('ingest-rate', flags['ingest-rate'], 1, 10_000_000),
  capacitySeconds: intFlag('capacity-seconds', flags['capacity-seconds'], 1, 600),
  modes: (flags.mode === 'both' ? ['embedded', 'postgres'] : [flags.mode]) as Mode[],
};
if (settings.modes.some((m) => m !== 'embedded' && m !== 'postgres'))
  throw new Error(`--mode must be embedded, postgres or both, got ${flags.mode}`);

const usersPerTenant = Math.max(2, Math.ceil((settings.calls * LOGIN_SHARE) / settings.tenants / LOGINS_PER_USER));

interface OtlpFigures {
  capacityPerSecond: number | undefined;
  targetPerSecond: number;
  /** Acked spans per second over the soak. */
  ackedPerSecond: number;
  acked: number;
  stored: number;
  failedRequests: number;
  failures: string[];
  p50Ms: number;
  p95Ms: number;
}

interface ModeReport {
  mode: Mode;
  seconds: number;
  ledger: Ledger;
  otlp: OtlpFigures;
  serverErrors: string[];
}

/**
 * Traces over OTLP/HTTP, 500 spans a request: at full speed with 16 requests in flight (as
 * `bench:ingest`), or paced to `itemsPerSecond` with room for 32 in flight, so that the rate
 * and not the concurrency limits the load while the API traffic slows answers down.
 */
function generatorConfig(
  server: RunningAllInOne,
  key: string,
  durationMs: number,
  itemsPerSecond?: number,
): GeneratorConfig {
  return {
    type: 'config',
    index: 0,
    signal: 'traces',
    transport: 'http',
    target: server.otlpHttpUrl,
    apiKey: key,
    concurrency: itemsPerSecond ? 32 : 16,
    durationMs,
    itemsPerRequest: 500,
    templates: 8,
    requestTimeoutMs: 30_000,
    ...(itemsPerSecond ? { itemsPerSecond } : {}),
  };
}

/** Spans/s the all-in-one acks at full speed, measured for `seconds`. */
async function measureCapacity(server: RunningAllInOne, key: string, seconds: number): Promise<number> {
  const g = startGenerator(generatorConfig(server, key, seconds * 1000));
  await withTimeout(g.ready, 120_000, 'generator start-up');
  g.send({ type: 'go' });
  const r = await withTimeout(g.result, seconds * 1000 + 90_000, 'capacity measurement');
  if (r.ackedItems === 0) throw new Error(`nothing acked while measuring capacity: ${r.failures.join(' | ')}`);
  return r.ackedItems / (r.elapsedMs / 1000);
}

async function runMode(mode: Mode): Promise<ModeReport> {
  const dataDir = mkdtempSync(join(tmpdir(), `tf-soak-${mode}-`));
  let db: TestDatabase | undefined;
  const serverLog: string[] = [];
  let server: RunningAllInOne | undefined;
  try {
    db = mode === 'postgres' ? await createTestDatabase() : undefined;
    const env: Record<string, string> = {
      TF_HOST: '127.0.0.1',
      TF_DATA_DIR: dataDir,
      TF_HTTP_PORT: '0',
      TF_METRICS_PORT: '0',
      TF_OTLP_HTTP_PORT: '0',
      TF_OTLP_GRPC_PORT: '0',
      TF_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
      TF_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      TF_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      // Users come from their own addresses (X-Forwarded-For), and searches are not throttled per
      // credential: the soak looks for wrong answers, not for the rate limiter's.
      TF_TRUST_PROXY: 'true',
      TF_RATE_LIMIT_HEAVY_PER_MINUTE: '1000000',
      ...(db ? { DATABASE_URL: db.url } : {}),
    };
    server = await startAllInOne(loadConfig(env), (msg) => serverLog.push(msg));
    console.log(
      `[${mode}] all-in-one up: API ${server.apiUrl}, OTLP/HTTP ${server.otlpHttpUrl}${db ? `, Postgres ${db.url}` : ', embedded Postgres'}`,
    );

    const fromMs = Date.now() - 600_000;
    const tenants = await createTenants(new SoakApi(server.apiUrl, new Ledger()), {
      tenants: settings.tenants,
      usersPerTenant,
      admin: ADMIN,
      otlpHttpUrl: server.otlpHttpUrl,
    });
    console.log(`[${mode}] ${tenants.length} tenants with ${usersPerTenant} users each created through the API`);
    const ingestTenant = tenants[0] as SoakTenant;

    const capacity =
      settings.ingestRate === undefined
        ? await measureCapacity(server, ingestTenant.key.bearer, settings.capacitySeconds)
        : undefined;
    const target = settings.ingestRate ?? Math.max(1, Math.round((capacity as number) / 2));
    if (capacity !== undefined)
      console.log(
        `[${mode}] OTLP capacity ${formatInt(capacity)} spans/s over ${settings.capacitySeconds} s; soaking at ${formatInt(target)} spans/s`,
      );
    const storedBefore = await storedItems(server.clickhouse, 'traces', ingestTenant.id);

    const generator = startGenerator(generatorConfig(server, ingestTenant.key.bearer, 24 * 3_600_000, target));
    await withTimeout(generator.ready, 120_000, 'generator start-up');
    generator.send({ type: 'go' });

    const ledger = new Ledger();
    const t0 = performance.now();
    await runOperations(
      { api: new SoakApi(server.apiUrl, ledger), tenants, fromMs },
      settings.calls,
      settings.concurrency,
    );
    const seconds = (performance.now() - t0) / 1000;

    generator.send({ type: 'stop' });
    const result: GeneratorResult = await withTimeout(generator.result, 120_000, 'ingest to stop');
    const stored = (await storedItems(server.clickhouse, 'traces', ingestTenant.id)) - storedBefore;
    return {
      mode,
      seconds,
      ledger,
      otlp: {
        capacityPerSecond: capacity,
        targetPerSecond: target,
        ackedPerSecond: result.ackedItems / (result.elapsedMs / 1000),
        acked: result.ackedItems,
        stored,
        failedRequests: result.failedRequests,
        failures: result.failures,
        p50Ms: percentile(result.latenciesMs, 50),
        p95Ms: percentile(result.latenciesMs, 95),
      },
      // Request lines are counted by the ledger already; the rest is the server's own trouble.
      serverErrors: serverLog.filter((line) => !line.startsWith('request ') && /error|fail/i.test(line)),
    };
  } finally {
    killGenerators();
    await server?.close().catch((err: Error) => console.error(`[${mode}] shutdown: ${err.message}`));
    await db?.drop().catch((err: Error) => console.error(`[${mode}] dropping the database: ${err.message}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prints the report of one mode; true when it found nothing wrong. */
function printReport(r: ModeReport): boolean {
  const { ledger, otlp } = r;
  const title = r.mode === 'embedded' ? 'embedded Postgres (PGlite, the defaults)' : 'Postgres server (DATABASE_URL)';
  console.log(`\n== ${title} ==`);
  console.log(
    `${formatInt(ledger.requests)} API requests at ${settings.concurrency} in flight across ${settings.tenants} tenants in ${r.seconds.toFixed(1)} s (${formatInt(ledger.requests / r.seconds)}/s)`,
  );
  const rows = [...ledger.latencies.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([call, ms]) => {
      const errors = [...ledger.errors.entries()]
        .filter(([k]) => k.startsWith(`${call} →`) || k.startsWith(`${call}:`))
        .reduce((a, [, t]) => a + t.count, 0);
      const wrong = [...ledger.wrong.entries()]
        .filter(([k]) => k.startsWith(`${call}:`))
        .reduce((a, [, t]) => a + t.count, 0);
      return [
        call,
        formatInt(ms.length),
        formatMs(percentile(ms, 50)),
        formatMs(percentile(ms, 95)),
        formatInt(errors),
        formatInt(wrong),
      ];
    });
  console.log(renderTable(['call', 'requests', 'p50 ms', 'p95 ms', 'errors', 'wrong'], rows));
  const missing = Math.max(0, otlp.acked - otlp.stored);
  console.log(
    `OTLP ingest (traces, OTLP/HTTP protobuf, one tenant): ${otlp.capacityPerSecond !== undefined ? `capacity ${formatInt(otlp.capacityPerSecond)} spans/s, ` : ''}` +
      `target ${formatInt(otlp.targetPerSecond)} spans/s, acked ${formatInt(otlp.ackedPerSecond)} spans/s; acked ${formatInt(otlp.acked)} spans, stored ${formatInt(otlp.stored)} (${missing === 0 ? 'every acked span stored' : `${formatInt(missing)} MISSING`}), ` +
      `failed requests ${otlp.failedRequests}, export p50 ${formatMs(otlp.p50Ms)} ms / p95 ${formatMs(otlp.p95Ms)} ms`,
  );
  if (otlp.failures.length) console.log(`  OTLP failures: ${otlp.failures.join(' | ')}`);
  console.log(`errors: ${formatInt(ledger.errorCount())}`);
  for (const [kind, t] of ledger.errors) console.log(`  ${formatInt(t.count)} × ${kind}  e.g. ${t.sample}`);
  console.log(`wrong answers: ${formatInt(ledger.wrongCount())}`);
  for (const [kind, t] of ledger.wrong) console.log(`  ${formatInt(t.count)} × ${kind}  e.g. ${t.sample}`);
  console.log(
    `server log lines about errors: ${r.serverErrors.length}${r.serverErrors.length ? `, e.g. ${r.serverErrors.slice(0, 3).join(' | ').slice(0, 1500)}` : ''}`,
  );
  return (
    ledger.errorCount() === 0 &&
    ledger.wrongCount() === 0 &&
    missing === 0 &&
    otlp.failedRequests === 0 &&
    otlp.acked > 0
  );
}

async function main(): Promise<number> {
  console.log(
    `TelemetryFlow concurrency soak: ${formatInt(settings.calls)} API requests, ${settings.concurrency} in flight, ${settings.tenants} tenants, modes ${settings.modes.join(', ')}`,
  );
  let clean = true;
  for (const mode of settings.modes) {
    const report = await runMode(mode);
    clean = printReport(report) && clean;
  }
  console.log(clean ? '\nsoak passed: no error, no wrong answer, every acked span stored' : '\nSOAK FAILED');
  return clean ? 0 : 1;
}

// The soak always ends by itself: a watchdog bounds the whole run.
runWithWatchdog('soak', settings.modes.length * (600 + settings.capacitySeconds + settings.calls / 5) * 1000, main);
