import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse, type ClickHouseClient } from '../src/client.js';
import { clusterStatements, shardingKey } from '../src/cluster-ddl.js';
import { loadMigrations } from '../src/migrations.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tf-cluster-ddl-'));
let client: ClickHouseClient;
before(async () => {
  client = await createClickHouse({ dataDir });
});
after(async () => {
  await client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function render(cluster = 'tf_cluster'): { statements: string[]; tables: Set<string> } {
  const tables = new Set<string>();
  const statements = loadMigrations().flatMap((m) => clusterStatements(m.statements, { cluster, tables }));
  return { statements, tables };
}

test('every cluster DDL statement runs ON CLUSTER, data statements go through the Distributed tables, and ClickHouse parses every one', async () => {
  const { statements } = render();
  assert.ok(statements.length > loadMigrations().flatMap((m) => m.statements).length, 'tables gain a Distributed twin');
  for (const s of statements) {
    if (s.startsWith('INSERT')) {
      // A rebuild: written through the Distributed table, synchronously; subqueries over Distributed tables are GLOBAL.
      assert.match(s, /^INSERT INTO \w+ \(/);
      assert.doesNotMatch(s, /_local\b/);
      assert.match(s, /distributed_foreground_insert = 1/);
      assert.doesNotMatch(s, /(?<!GLOBAL( NOT)?) IN \(SELECT/, 'subqueries over Distributed tables are GLOBAL');
    } else {
      assert.match(
        s,
        /^(CREATE|ALTER|DROP) [A-Z ]+?(IF NOT EXISTS |IF EXISTS )?\w+ ON CLUSTER tf_cluster\b/,
        s.slice(0, 120),
      );
    }
    // The engine's own parser: a syntax error in the rewrite fails here.
    const rs = await client.query({ query: `EXPLAIN AST ${s}`, format: 'TabSeparated' });
    assert.match(await rs.text(), /CreateQuery|AlterQuery|DropQuery|InsertQuery/);
  }
});

test("columns added to a sorting key change the shards' keys; the Distributed twin gets the columns alone", () => {
  const { statements } = render();
  const local = statements.find((s) =>
    s.startsWith('ALTER TABLE spans_service_red_hourly_local ON CLUSTER tf_cluster ADD COLUMN IF NOT EXISTS Entry'),
  );
  assert.match(local ?? '', /MODIFY ORDER BY \(TenantId, ServiceName, Hour, Entry\)$/);
  const distributed = statements.find((s) =>
    s.startsWith('ALTER TABLE spans_service_red_hourly ON CLUSTER tf_cluster ADD COLUMN IF NOT EXISTS Entry'),
  );
  assert.ok(distributed, 'the Distributed table gains the column');
  assert.doesNotMatch(distributed, /ORDER BY/);
  const modified = statements.find((s) =>
    s.startsWith('ALTER TABLE spans_red_hourly_mv ON CLUSTER tf_cluster MODIFY QUERY'),
  );
  assert.match(modified ?? '', /FROM spans_local AS spans\b/, "a view keeps reading its shard's table");
});

test('each table becomes a replicated local table on every shard and a Distributed table by its sharding key', () => {
  const { statements, tables } = render();
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
    assert.ok(tables.has(t), t);
    const localDdl = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${t}_local `));
    assert.match(
      localDdl ?? '',
      new RegExp(
        `ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/\\{database\\}/${t}_local', '\\{replica\\}'`,
      ),
      t,
    );
    assert.ok(
      statements.includes(
        `CREATE TABLE IF NOT EXISTS ${t} ON CLUSTER tf_cluster AS ${t}_local ENGINE = Distributed(tf_cluster, currentDatabase(), ${t}_local, ${shardingKey(t)})`,
      ),
      `${t} is distributed`,
    );
  }
  assert.equal(shardingKey('spans'), 'cityHash64(TenantId, TraceId)', 'a trace stays on one shard');
  assert.equal(shardingKey('trace_index'), shardingKey('spans'), 'the trace index lives beside its spans');
  assert.equal(shardingKey('metrics_gauge'), shardingKey('metric_series'), 'points live beside their series');
  // Engine arguments survive (ReplacingMergeTree(version) and the like).
  const [ledger] = clusterStatements(
    ['CREATE TABLE IF NOT EXISTS schema_migrations (v UInt32, at DateTime) ENGINE = ReplacingMergeTree(at) ORDER BY v'],
    { cluster: 'c' },
  );
  assert.match(
    ledger!,
    /ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/all\/\{database\}\/schema_migrations_local', '\{replica\}', at\)/,
  );
});

test('materialized views read and write the local tables of their shard, under the plain table names', () => {
  const { statements } = render();
  const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
  assert.ok(views.length > 0);
  for (const v of views) {
    assert.match(v, / TO \w+_local AS/);
    for (const [, source] of v.matchAll(/\bFROM (\w+)/g)) assert.match(source!, /_local$/, v);
    // Aliased to the plain name: columns qualified by it (`metrics_histogram.Count`, 0008) resolve.
    for (const [, source, alias] of v.matchAll(/\bFROM (\w+)_local AS (\w+)/g)) assert.equal(alias, source, v);
    assert.doesNotMatch(v, /\bFROM \w+_local(?! AS)/, v);
  }
});

test('statements the renderer does not understand are refused, not passed through', () => {
  assert.throws(
    () => clusterStatements(['INSERT INTO spans VALUES (1)'], { cluster: 'c' }),
    /cannot place this migration statement/,
  );
  assert.throws(
    () => clusterStatements(['ALTER TABLE unknown ADD COLUMN x UInt8'], { cluster: 'c' }),
    /not a table of the migrations/,
  );
  assert.throws(() => clusterStatements([], { cluster: "x'; DROP" }), /invalid ClickHouse cluster name/);
});

test('a cluster applies to server connections only; mutations name it', async () => {
  const { onCluster } = await import('../src/cluster-ddl.js');
  assert.equal(onCluster(undefined), '');
  assert.equal(onCluster('tf_cluster'), ' ON CLUSTER tf_cluster');
  await assert.rejects(createClickHouse({ dataDir, cluster: 'tf_cluster' }), /needs CLICKHOUSE_URL/);
});
