// `pnpm bench:metrics-cost`: the CPU a scrape-like metrics request costs the all-in-one per
// 1,000 data points, piece by piece (the requests of bench:ingest's scrape phases: a third
// gauges, a third cumulative counters, a third 16-bucket histograms, 1,000 points each).
//
// - decode + encode: the decoder thread's work (decodeAndEncode) on this thread, before the
//   all-in-one starts, for the object path (protobufjs objects → rows → RowBinary) and the wire
//   reader, with series already known and with every series new (cardinality requests);
// - insert, per table, with background merges stopped: the process's CPU time (the embedded
//   engine runs in it) around each insert of BENCH_BATCH_REQUESTS requests, then again after
//   each materialized view on the metrics tables is dropped in turn (a view's cost is the
//   difference it makes), daily views before the hourly ones they read;
// - merges: the CPU time from starting merges again until none runs.
// Sizes: BENCH_ACTIVE_SERIES (20000), BENCH_BATCH_REQUESTS (8), BENCH_INSERTS per figure (6).
// BENCH_DROP_VIEWS=0 measures every insert with every view only (no view dropped), for quick
// before/after runs alternated on a loaded machine.
// Series catalog rows are written as the pipeline writes them (only when they change, ADR 0024);
// BENCH_SERIES_EVERY_REQUEST=1 writes every request's series rows, as before that change.
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ClickHouseWriter, decodeAndEncode, type EncodedTables } from '@telemetryflow/ingest';
import { envInt, machineLine, mergesSettled, runWithAllInOne, type ClickHouseClient } from './bench-store.js';
import { stampPayload, type PayloadTemplate } from './payloads.js';
import { buildScrapeTemplates } from './scrape-payloads.js';
import { renderTable } from './stats.js';

const API_KEY = 'tf_bench_metrics_cost_0000000000001';
const ACTIVE_SERIES = envInt('BENCH_ACTIVE_SERIES', 20_000);
const BATCH = envInt('BENCH_BATCH_REQUESTS', 8);
const INSERTS = envInt('BENCH_INSERTS', 6);
const TENANT = 'bench';
const SERIES_EVERY_REQUEST = envInt('BENCH_SERIES_EVERY_REQUEST', 0) === 1;
const DROP_VIEWS = process.env.BENCH_DROP_VIEWS !== '0';

let stamp = 1;
function payloadsOf(templates: PayloadTemplate[], count: number): { payload: Buffer; points: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const t = templates[i % templates.length]!;
    return { payload: stampPayload(t, stamp++), points: t.items };
  });
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU ms per 1,000 points of decodeAndEncode over `payloads`, as the object path or off the wire. */
function decodeCost(payloads: { payload: Buffer; points: number }[], objects: boolean): number {
  let points = 0;
  const t0 = cpuMs();
  for (const { payload, points: n } of payloads) {
    const result = decodeAndEncode({
      tenantId: TENANT,
      signal: 'metrics',
      encoding: 'protobuf',
      payload: new Uint8Array(payload),
      receivedAtNs: String(BigInt(Date.now()) * 1_000_000n),
      notBeforeNs: '0',
      keepRows: objects,
      ...(SERIES_EVERY_REQUEST ? {} : { seriesEpoch: 0 }),
    });
    if (!result.ok || result.batch.accepted !== n) throw new Error('a bench request was not accepted whole');
    points += n;
  }
  return ((cpuMs() - t0) / points) * 1000;
}

function encode(
  payloads: { payload: Buffer; points: number }[],
): { tables: EncodedTables['tables']; points: number }[] {
  return payloads.map(({ payload, points }) => {
    const result = decodeAndEncode({
      tenantId: TENANT,
      signal: 'metrics',
      encoding: 'protobuf',
      payload: new Uint8Array(payload),
      receivedAtNs: '0',
      notBeforeNs: '0',
      ...(SERIES_EVERY_REQUEST ? {} : { seriesEpoch: 0 }),
    });
    if (!result.ok) throw new Error(result.malformed);
    return { tables: result.batch.tables, points };
  });
}

const TABLES = ['metric_series', 'metrics_gauge', 'metrics_sum', 'metrics_histogram'] as const;
type Table = (typeof TABLES)[number];

/** CPU ms per 1,000 points of inserting each table's rows of `batches` (merges stopped). */
async function insertCost(
  writer: ClickHouseWriter,
  batches: { tables: EncodedTables['tables']; points: number }[][],
): Promise<Record<Table, number>> {
  const cost = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;
  let points = 0;
  for (const batch of batches) {
    points += batch.reduce((a, r) => a + r.points, 0);
    for (const table of TABLES) {
      const chunks = batch.flatMap((r) => (r.tables[table] ? [r.tables[table].data] : []));
      // As the pipeline: a table no request of the batch has rows for is not inserted.
      if (chunks.length === 0) continue;
      const t0 = cpuMs();
      await writer.insert(table, chunks, `cost-${stamp++}-${table}`);
      cost[table] += cpuMs() - t0;
    }
  }
  for (const table of TABLES) cost[table] = (cost[table] / points) * 1000;
  return cost;
}

async function views(ch: ClickHouseClient): Promise<{ name: string; from: string }[]> {
  const rs = await ch.query({
    query: `SELECT name, as_select FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ name: string; as_select: string }>();
  return rows
    .map((r) => ({ name: r.name, from: /\bFROM\s+(?:\w+\.)?(\w+)/i.exec(r.as_select)?.[1] ?? '' }))
    .filter((v) => v.from.startsWith('metric'));
}

const fmt = (n: number) => n.toFixed(1);

/** Decode + encode, measured before the all-in-one starts (its threads would count in the process's CPU time). */
function decodeFigures(): void {
  const steady = buildScrapeTemplates({
    activeSeries: ACTIVE_SERIES,
    itemsPerRequest: 1000,
    seed: 1,
    format: 'otlp',
    newSeries: false,
  });
  const fresh = buildScrapeTemplates({
    activeSeries: 1000,
    itemsPerRequest: 1000,
    seed: 2,
    format: 'otlp',
    newSeries: true,
  });
  // Warm up both paths (JIT), then measure alternately.
  decodeCost(payloadsOf(steady, steady.length), true);
  decodeCost(payloadsOf(steady, steady.length), false);
  const decodeRows: string[][] = [];
  const runs = { objects: [] as number[], wire: [] as number[], objectsNew: [] as number[], wireNew: [] as number[] };
  for (let i = 0; i < 3; i++) {
    runs.objects.push(decodeCost(payloadsOf(steady, 100), true));
    runs.wire.push(decodeCost(payloadsOf(steady, 100), false));
    runs.objectsNew.push(decodeCost(payloadsOf(fresh, 100), true));
    runs.wireNew.push(decodeCost(payloadsOf(fresh, 100), false));
  }
  decodeRows.push(['object path, series known', ...runs.objects.map(fmt)]);
  decodeRows.push(['wire reader, series known', ...runs.wire.map(fmt)]);
  decodeRows.push(['object path, all series new', ...runs.objectsNew.map(fmt)]);
  decodeRows.push(['wire reader, all series new', ...runs.wireNew.map(fmt)]);
  console.log('\ndecode + encode (one thread), ms CPU per 1,000 points, three runs');
  console.log(renderTable(['path', 'run 1', 'run 2', 'run 3'], decodeRows));
}

const machineCpu = cpus()[0]?.model.trim() ?? '?';
console.log(
  `TelemetryFlow metrics ingest cost: ${availableParallelism()} CPUs (${machineCpu}), Node.js ${process.versions.node}`,
);
console.log(
  `${ACTIVE_SERIES} active series, 1,000 points per request, inserts of ${BATCH} requests, ${INSERTS} inserts per figure; ` +
    'CPU time of this process (the embedded engine included), ms per 1,000 points',
);
decodeFigures();

runWithAllInOne('tf-metrics-cost-', API_KEY, async (server) => {
  const ch = server.clickhouse;
  console.log(`\nengine: ${await machineLine(ch)}`);
  const steady = buildScrapeTemplates({
    activeSeries: ACTIVE_SERIES,
    itemsPerRequest: 1000,
    seed: 1,
    format: 'otlp',
    newSeries: false,
  });
  const writer = new ClickHouseWriter(ch);
  const batchesOf = (n: number) => Array.from({ length: n }, () => encode(payloadsOf(steady, BATCH)));
  // First pass: every series is new to the catalog.
  await insertCost(writer, batchesOf(Math.ceil(steady.length / BATCH)));
  await ch.command({ query: 'SYSTEM STOP MERGES' });
  const insertRows: string[][] = [];
  const measure = async (what: string) => {
    const c = await insertCost(writer, batchesOf(INSERTS));
    const total = TABLES.reduce((a, t) => a + c[t], 0);
    insertRows.push([what, ...TABLES.map((t) => fmt(c[t])), fmt(total)]);
    return total;
  };
  await measure('every view');
  const all = DROP_VIEWS ? await views(ch) : [];
  const daily = all.filter((v) => !TABLES.includes(v.from as Table));
  const hourly = all.filter((v) => TABLES.includes(v.from as Table));
  for (const v of [...daily, ...hourly]) {
    await ch.command({ query: `DROP VIEW ${v.name}` });
    await measure(`without ${v.name} (${v.from})`);
  }
  console.log(`\ninsert (merges stopped), ms CPU per 1,000 points; each row drops one more view`);
  console.log(renderTable(['views', ...TABLES, 'total'], insertRows));
  const t0 = cpuMs();
  const w0 = performance.now();
  await ch.command({ query: 'SYSTEM START MERGES' });
  await new Promise((r) => setTimeout(r, 2000));
  await mergesSettled(ch);
  const inserted = (INSERTS * (1 + all.length) + Math.ceil(steady.length / BATCH)) * BATCH * 1000;
  console.log(
    `merges after the inserts: ${fmt(((cpuMs() - t0) / inserted) * 1000)} ms CPU per 1,000 points ` +
      `(${((performance.now() - w0) / 1000).toFixed(0)} s, ${inserted} points)`,
  );
});
