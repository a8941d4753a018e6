// Shared by the benchmarks that work on the all-in-one's ClickHouse: stored item counts
// (ingest, soak), and for those that load generated rows straight into it (rollups,
// queries) sizes from the environment, chunked INSERT … SELECT, waiting for merges, and
// the line that names the machine and engine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Signal } from '@telemetryflow/otlp';
import { loadConfig, startAllInOne, type RunningAllInOne } from '@telemetryflow/server';
import { formatInt } from './stats.js';

export type ClickHouseClient = RunningAllInOne['clickhouse'];

/** Tables whose rows are the items of each signal (metrics: data points of the types the load generator sends). */
const ITEM_TABLES: Record<Signal, string[]> = {
  traces: ['spans'],
  logs: ['logs'],
  metrics: ['metrics_gauge', 'metrics_sum', 'metrics_histogram'],
};

/** Items of a signal stored for a tenant: what acked exports must add up to. */
export async function storedItems(ch: ClickHouseClient, signal: Signal, tenantId: string): Promise<number> {
  let total = 0;
  for (const table of ITEM_TABLES[signal]) {
    // Table names are constants of this file; the tenant is a bound parameter.
    const rs = await ch.query({
      query: `SELECT count() AS c FROM ${table} WHERE TenantId = {t:String}`,
      query_params: { t: tenantId },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ c: string | number }>();
    total += Number(rows[0]?.c ?? 0);
  }
  return total;
}

const CHUNK = 1_000_000;

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

/**
 * Loads `total` rows in chunks of a million, each one INSERT … SELECT (bound parameters
 * offset, n, total, start, end) so the materialized views fire as on ingest.
 */
export async function loadRows(
  ch: ClickHouseClient,
  what: string,
  total: number,
  insert: string,
  window: { start: number; end: number },
): Promise<void> {
  const t0 = performance.now();
  for (let offset = 0; offset < total; offset += CHUNK) {
    const n = Math.min(CHUNK, total - offset);
    await ch.command({ query: insert, query_params: { offset, n, total, start: window.start, end: window.end } });
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`loaded ${formatInt(total)} ${what} in ${s.toFixed(1)} s (${formatInt(total / s)}/s)`);
}

/** Waits (up to 5 minutes) until no background merge runs, so timings do not share the CPU with them. */
export async function mergesSettled(ch: ClickHouseClient): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < 300_000) {
    const [row] = await (
      await ch.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' })
    ).json<{ n: string }>();
    if (row?.n === '0') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`background merges settled after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** "2 CPUs (model), Node.js x, chdb y (ClickHouse z)". */
export async function machineLine(ch: ClickHouseClient): Promise<string> {
  const [version] = await (
    await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
  ).json<{ v: string }>();
  const chdb = (
    JSON.parse(readFileSync(new URL('../../../clickhouse/package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies.chdb;
  return `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? '?'}), Node.js ${process.versions.node}, chdb ${chdb} (ClickHouse ${version?.v})`;
}

/**
 * Runs `bench` against an all-in-one on a temporary data dir (removed afterwards), with the
 * result cache off so repeated requests are timed, not served from memory, and the per-credential
 * limit of heavy queries out of reach of one client timing them; exits 1 on failure.
 */
export function runWithAllInOne(
  dataDirPrefix: string,
  apiKey: string,
  bench: (server: RunningAllInOne) => Promise<void>,
): void {
  const run = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
    const server = await startAllInOne(
      loadConfig({
        TF_HOST: '127.0.0.1',
        TF_DATA_DIR: dataDir,
        TF_HTTP_PORT: '0',
        TF_METRICS_PORT: '0',
        TF_OTLP_HTTP_PORT: '0',
        TF_OTLP_GRPC_PORT: '0',
        TF_BOOTSTRAP_API_KEY: apiKey,
        TF_QUERY_CACHE_TTL_MS: '0',
        TF_RATE_LIMIT_HEAVY_PER_MINUTE: '1000000',
        // A server Postgres instead of the embedded one, when given.
        ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      }),
      () => {},
    );
    try {
      await bench(server);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** SQL text: the time of item `i` of `total`, spread evenly over [{start}, {end}) ms, in nanoseconds. */
export const timeNs = (i: string) =>
  `toUInt64({start:UInt64} + intDiv((${i}) * ({end:UInt64} - {start:UInt64}), {total:UInt64})) * 1000000`;

/** SQL text: a number as 16 lower-case hex digits (a span id). */
export const hex16 = (x: string) => `leftPad(lower(hex(${x})), 16, '0')`;
