import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createClickHouse,
  encodeRowBinary,
  insertFromFileStatement,
  insertRowBinary,
  insertStatement,
  loadMigrations,
  migrate,
  migrationsComplete,
  parseMigration,
  splitStatements,
  type ClickHouseClient,
} from '../src/index.js';

let dir: string;
let ch: ClickHouseClient;

before(async () => {
  // A space and a quote in the path: staged insert files must still be found.
  dir = mkdtempSync(join(tmpdir(), "tf ch'-"));
  ch = await createClickHouse({ dataDir: dir });
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

test('statements are split on semicolons at line ends; comments are dropped', () => {
  assert.deepEqual(
    splitStatements(
      '-- a comment; with a semicolon\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nCREATE VIEW b AS SELECT 1;\n',
    ),
    ['CREATE TABLE a (x UInt8) ENGINE = Memory', 'CREATE VIEW b AS SELECT 1'],
  );
});

test('migration files are numbered without gaps', () => {
  const migrations = loadMigrations();
  assert.ok(migrations.length >= 4);
  migrations.forEach((m, i) => assert.equal(m.version, i + 1));
  assert.throws(() => parseMigration('1_bad.sql', ''), /0001_name\.sql/);
});

test('two migrations at once both succeed, and a second run applies nothing', async () => {
  const [a, b] = await Promise.all([migrate(ch), migrate(ch)]);
  const all = loadMigrations().map((m) => m.version);
  const byVersion = (x: number, y: number) => x - y;
  assert.deepEqual([...new Set([...a.applied, ...a.alreadyApplied])].sort(byVersion), all);
  assert.deepEqual([...new Set([...b.applied, ...b.alreadyApplied])].sort(byVersion), all);
  const again = await migrate(ch);
  assert.deepEqual(again.applied, []);
  assert.equal(await migrationsComplete(ch), true);
  const rs = await ch.query({
    query: 'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    format: 'JSONEachRow',
  });
  const tables = (await rs.json<{ name: string }>()).map((r) => r.name);
  for (const t of [
    'spans',
    'trace_index',
    'logs',
    'metric_series',
    'metrics_gauge',
    'metrics_sum',
    'metrics_histogram',
    'metrics_exp_histogram',
    'metrics_summary',
  ]) {
    assert.ok(tables.includes(t), `table ${t} exists`);
  }
  // Raw tables merge wider groups of parts (fewer rewrites per row under steady inserts).
  const settings = await ch.query({
    query:
      "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('spans', 'logs', 'metrics_sum')",
    format: 'JSONEachRow',
  });
  const raw = await settings.json<{ name: string; engine_full: string }>();
  assert.equal(raw.length, 3);
  for (const { name, engine_full } of raw) {
    assert.match(engine_full, /merge_selector_base = 20\b/, `${name} merges with base 20`);
  }
});

test('an applied migration that was edited is refused', async () => {
  await migrate(ch);
  const edited = loadMigrations().map((m) => (m.version === 1 ? { ...m, checksum: 'changed' } : m));
  await assert.rejects(migrate(ch, edited), /changed after it was applied/);
});

test('RowBinary rows arrive exactly: nanosecond times (zero too), int64, NaN and infinities, nullables, maps, arrays, UTF-8', async () => {
  await migrate(ch);
  const long = 'ü'.repeat(200);
  const row = [
    't',
    'm',
    '18446744073709551615',
    '0',
    '1732540800123456789',
    7,
    Number.NaN,
    '-9223372036854775808',
    ['1732540800123456790'],
    [Number.POSITIVE_INFINITY],
    [null],
    ['5b8efff798038103d269b633813fc60c'],
    ['eee19b7ec3c1b174'],
    [{ 'k€y': long }],
    [{}],
  ];
  await insertRowBinary(ch, 'metrics_gauge', encodeRowBinary('metrics_gauge', [row]));
  const rs = await ch.query({
    query: `SELECT toString(Fingerprint) AS fp, toString(toUnixTimestamp64Nano(StartTime)) AS s, toString(toUnixTimestamp64Nano(Time)) AS t,
              Flags, isNaN(Value) AS nan, toString(IntValue) AS i, arrayMap(x -> toString(toUnixTimestamp64Nano(x)), ExemplarTimes) AS et,
              ExemplarValues[1] = inf AS inf, ExemplarIntValues, lower(hex(ExemplarTraceIds[1])) AS tid, ExemplarAttributes[1]['k€y'] = {long:String} AS attr
            FROM metrics_gauge WHERE TenantId = {tenant:String}`,
    query_params: { tenant: 't', long },
    format: 'JSONEachRow',
  });
  assert.deepEqual(await rs.json(), [
    {
      fp: '18446744073709551615',
      s: '0',
      t: '1732540800123456789',
      Flags: 7,
      nan: 1,
      i: '-9223372036854775808',
      et: ['1732540800123456790'],
      inf: 1,
      ExemplarIntValues: [null],
      tid: '5b8efff798038103d269b633813fc60c',
      attr: 1,
    },
  ]);
});

test('word search on log bodies can use the token skip index, for non-ASCII words too', async () => {
  await migrate(ch);
  await ch.command({ query: "INSERT INTO logs (TenantId, Body) VALUES ('x', 'Éclair au chocolat')" });
  const rs = await ch.query({
    query:
      'EXPLAIN indexes = 1 SELECT count() FROM logs WHERE TenantId = {t:String} AND hasToken(lowerUTF8(Body), {w:String})',
    query_params: { t: 'x', w: 'éclair' },
    format: 'TabSeparatedRaw',
  });
  assert.match(await rs.text(), /idx_body/);
});

test('span and log attribute equality filters skip granules through the value indexes', async () => {
  await migrate(ch);
  await ch.command({
    query:
      "INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, Attributes, ResourceAttributes) VALUES ('x', '0102030405060708090a0b0c0d0e0f10', '0102030405060708', map('http.route', '/a'), map('host.name', 'h1'))",
  });
  await ch.command({
    query:
      "INSERT INTO logs (TenantId, Attributes, ResourceAttributes) VALUES ('x', map('http.route', '/a'), map('host.name', 'h1'))",
  });
  for (const table of ['spans', 'logs']) {
    for (const [map, key, index] of [
      ['Attributes', 'http.route', 'idx_attr_values'],
      ['ResourceAttributes', 'host.name', 'idx_res_attr_values'],
    ] as const) {
      const rs = await ch.query({
        query: `EXPLAIN indexes = 1 SELECT count() FROM ${table} WHERE ${map}[{k:String}] = {v:String}`,
        query_params: { k: key, v: '/b' },
        format: 'TabSeparatedRaw',
      });
      const plan = await rs.text();
      assert.match(
        plan,
        new RegExp(`Name: ${index}[\\s\\S]*?Granules: 0/`),
        `${table}.${map} filter prunes with ${index}`,
      );
    }
  }
  // Key indexes were dropped (0012): they cost half of a span insert and pruned little.
  const rs = await ch.query({
    query:
      "SELECT table, name FROM system.data_skipping_indices WHERE database = currentDatabase() AND name LIKE '%keys' AND table IN ('spans', 'logs')",
    format: 'JSONEachRow',
  });
  assert.deepEqual(await rs.json(), []);
});

test('a row with the wrong number of values is refused before it reaches ClickHouse', () => {
  assert.throws(() => encodeRowBinary('metrics_summary', [['t', 'm']]), /2 values for 10 columns/);
});

test('deduplication tokens are checked before they reach SQL; staging paths are bound', () => {
  assert.throws(() => insertStatement('spans', "x'; DROP TABLE spans; --"), /invalid deduplication token/);
  assert.match(insertStatement('spans', 'abc-1'), /insert_deduplication_token = 'abc-1'.*FORMAT RowBinary$/);
  assert.match(insertFromFileStatement('spans'), /FROM file\(\{path:String\}, 'RowBinary', /);
});
