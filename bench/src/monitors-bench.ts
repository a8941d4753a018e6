// `pnpm bench:monitors`: uptime-monitor scheduling on the all-in-one (issue 21: 1,000 HTTP
// monitors at a 30 s interval, scheduling delay p95 ≤ 1 s).
//
//   1. start a local HTTP target in a child process (so its CPU is not counted), and the
//      all-in-one on a fresh data dir and a throwaway Postgres database, loopback allowed;
//   2. create `--monitors` HTTP monitors at `--interval` through the API;
//   3. wait one interval and a few seconds, so every monitor's first check (at creation) is
//      behind it and checks run at their slots;
//   4. measure for `--seconds`: every check result stored in ClickHouse in that window is
//      compared with its monitor's slot (schedule.ts: fixed slots from the monitor's id), so the
//      delay is measured end to end on what the probe role did, not on what it says it did;
//      process CPU over the same window (every role of the all-in-one, embedded ClickHouse too).
// Prints checks (expected and stored), scheduling delay p50 / p95 / max and CPU %.
//
// Flags: --monitors N (default 1000), --interval S (default 30), --seconds S (default 60).
// Postgres: TF_TEST_POSTGRES_URL's server (default postgres://postgres@127.0.0.1:5432/postgres).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { slotOffsetMs } from '@telemetryflow/probe';
import { createTestDatabase } from '@telemetryflow/query/test-helpers';
import { loadConfig, startAllInOne } from '@telemetryflow/server';
import { formatMs, percentile, renderTable } from './stats.js';

const { values } = parseArgs({
  options: {
    monitors: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '60' },
  },
});
const MONITORS = Number(values.monitors);
const INTERVAL_S = Number(values.interval);
const SECONDS = Number(values.seconds);
if (![MONITORS, INTERVAL_S, SECONDS].every((n) => Number.isInteger(n) && n > 0) || INTERVAL_S < 10)
  throw new Error('--monitors, --interval (≥ 10) and --seconds are positive integers');
const KEY = 'tf_bench_monitors_0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An HTTP server answering 200 in a child process; resolves with its port. */
function startTarget(): Promise<{ port: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the target did not start within 10 s')), 10_000);
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve({ port: Number(d.toString().trim()), stop: () => child.kill() });
    });
  });
}

async function createMonitors(apiUrl: string, port: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < MONITORS) {
      const i = next++;
      const res = await fetch(`${apiUrl}/api/v1/monitors`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `bench-${i}`,
          interval: `${INTERVAL_S}s`,
          timeout: '5s',
          check: { kind: 'http', url: `http://127.0.0.1:${port}/m/${i}` },
        }),
      });
      if (res.status !== 201) throw new Error(`monitor ${i}: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { data: { id: string } }).data.id);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return ids;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tf-bench-monitors-'));
  const db = await createTestDatabase();
  const target = await startTarget();
  const log: string[] = [];
  const server = await startAllInOne(
    loadConfig({
      TF_HOST: '127.0.0.1',
      TF_DATA_DIR: dataDir,
      TF_HTTP_PORT: '0',
      TF_METRICS_PORT: '0',
      TF_OTLP_HTTP_PORT: '0',
      TF_OTLP_GRPC_PORT: '0',
      TF_BOOTSTRAP_API_KEY: KEY,
      DATABASE_URL: db.url,
      // The target is on loopback: allowed explicitly, as a self-hoster allow-lists internal targets.
      TF_ALERTING_ALLOWED_CIDRS: '127.0.0.1/32',
    }),
    (msg) => log.push(msg),
  );
  try {
    const t0 = performance.now();
    const ids = await createMonitors(server.apiUrl, target.port);
    console.log(`${ids.length} monitors created through the API in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(INTERVAL_S * 1000 + 5000);

    const cpu0 = process.cpuUsage();
    const fromMs = Date.now();
    await sleep(SECONDS * 1000);
    const toMs = Date.now();
    const cpu = process.cpuUsage(cpu0);
    await sleep(2500); // the writer flushes every second
    const rs = await server.clickhouse.query({
      query: `SELECT toString(MonitorId) AS id, toUnixTimestamp64Milli(Time) AS t, Up AS up FROM monitor_results
              WHERE Time >= fromUnixTimestamp64Milli({fromMs:Int64}) AND Time < fromUnixTimestamp64Milli({toMs:Int64})`,
      query_params: { fromMs, toMs },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ id: string; t: string | number; up: boolean | number }>();
    const intervalMs = INTERVAL_S * 1000;
    const delays = rows.map((r) => {
      const t = Number(r.t);
      return (((t - slotOffsetMs(r.id, intervalMs)) % intervalMs) + intervalMs) % intervalMs;
    });
    const perMonitor = new Map<string, number>();
    for (const r of rows) perMonitor.set(r.id, (perMonitor.get(r.id) ?? 0) + 1);
    const expected = (MONITORS * (toMs - fromMs)) / intervalMs;
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (toMs - fromMs)) * 100;
    console.log(
      renderTable(
        [
          'monitors',
          'interval',
          'window',
          'checks (expected)',
          'down',
          'delay p50',
          'p95',
          'max',
          'CPU (1 core = 100 %)',
        ],
        [
          [
            String(MONITORS),
            `${INTERVAL_S} s`,
            `${SECONDS} s`,
            `${rows.length} (${expected.toFixed(0)})`,
            String(rows.filter((r) => r.up === false || r.up === 0).length),
            `${formatMs(percentile(delays, 50))} ms`,
            `${formatMs(percentile(delays, 95))} ms`,
            `${formatMs(Math.max(...delays))} ms`,
            `${cpuPercent.toFixed(1)} %`,
          ],
        ],
      ),
    );
    // What the API says, to tell checks that did not run from results that were not stored.
    const listed = (await (
      await fetch(`${server.apiUrl}/api/v1/monitors`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { data: { status: string; lastCheck: { time: string } | null }[] };
    const statuses = new Map<string, number>();
    for (const m of listed.data) statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1);
    const ages = listed.data.map((m) => (m.lastCheck ? (Date.now() - Date.parse(m.lastCheck.time)) / 1000 : Infinity));
    console.log(
      `API: ${[...statuses].map(([k, n]) => `${n} ${k}`).join(', ')}; oldest last check ${Math.max(...ages).toFixed(1)} s ago`,
    );
    const most = Math.max(...perMonitor.values());
    console.log(`monitors checked in the window: ${perMonitor.size}; most checks of one monitor: ${most}`);
    const warnings = log.filter((m) => /^monitor /.test(m));
    if (warnings.length > 0) console.log(`probe log (${warnings.length}):\n  ${warnings.slice(0, 10).join('\n  ')}`);
  } finally {
    await server.close();
    target.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
