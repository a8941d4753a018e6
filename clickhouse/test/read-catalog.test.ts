import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ALERT_HISTORY_COLUMNS,
  createClickHouse,
  KEPT_POINT_FIELDS,
  LOG_COLUMNS,
  LOG_ROLLUP_COLUMNS,
  LOG_TABLES,
  METRIC_POINT_TABLES,
  METRIC_ROLLUP_COLUMNS,
  metricTables,
  migrate,
  OPERATION_SPAN_TABLES,
  POINT_COLUMNS,
  RAW_TABLES,
  ROLLUP_TABLES,
  ROLLUPS,
  SERIES_COLUMNS,
  SERVICE_SPAN_TABLES,
  SPAN_CLASS,
  SPAN_COLUMNS,
  SPAN_ROLLUP_COLUMNS,
  TENANT_COLUMN,
  TIME_COLUMNS,
  type ClickHouseClient,
  type ResolutionTables,
} from '../src/index.js';

let dir: string;
let ch: ClickHouseClient;
/** Column name → type, per table of the migrated schema. */
let schema: Map<string, Map<string, string>>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-read-catalog-'));
  ch = await createClickHouse({ dataDir: dir });
  await migrate(ch);
  const rs = await ch.query({
    query: 'SELECT table, name, type FROM system.columns WHERE database = currentDatabase()',
    format: 'JSONEachRow',
  });
  schema = new Map();
  for (const { table, name, type } of await rs.json<{ table: string; name: string; type: string }>()) {
    if (!schema.has(table)) schema.set(table, new Map());
    schema.get(table)!.set(name, type);
  }
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

const rollupTables = Object.values(ROLLUP_TABLES).flatMap((r) => [r.hourly, r.daily]);
const metricRollups = rollupTables.filter((t) => t.startsWith('metrics_'));
const spanRollups = [ROLLUP_TABLES.spanRed, ROLLUP_TABLES.serviceRed].flatMap((r) => [r.hourly, r.daily]);

function columnsOf(table: string): Map<string, string> {
  const cols = schema.get(table);
  assert.ok(cols, `table ${table} exists`);
  return cols;
}

test('every table of the catalog exists, with the tenant column and its time column', () => {
  for (const table of [...Object.values(RAW_TABLES), ...Object.values(METRIC_POINT_TABLES), ...rollupTables]) {
    assert.ok(columnsOf(table).has(TENANT_COLUMN), `${table}.${TENANT_COLUMN}`);
  }
  for (const r of Object.values(ROLLUP_TABLES)) {
    assert.ok(columnsOf(r.hourly).has(TIME_COLUMNS.hourly), `${r.hourly}.${TIME_COLUMNS.hourly}`);
    assert.ok(columnsOf(r.daily).has(TIME_COLUMNS.daily), `${r.daily}.${TIME_COLUMNS.daily}`);
  }
  const planned: ResolutionTables[] = [
    SERVICE_SPAN_TABLES,
    OPERATION_SPAN_TABLES,
    LOG_TABLES,
    metricTables('sum', 'metricValue'),
    metricTables('histogram', 'histogramCumulative'),
  ];
  for (const tables of planned) {
    for (const { table, time } of Object.values(tables)) assert.ok(columnsOf(table).has(time), `${table}.${time}`);
  }
  for (const table of Object.values(METRIC_POINT_TABLES))
    assert.ok(columnsOf(table).has(TIME_COLUMNS.points), `${table}.${TIME_COLUMNS.points}`);
});

test('every column of a vocabulary is a column of its tables (of at least one, for vocabularies over several kinds)', () => {
  const vocabularies: [string, Record<string, string>, string[]][] = [
    ['SPAN_COLUMNS', SPAN_COLUMNS, [RAW_TABLES.spans]],
    ['LOG_COLUMNS', LOG_COLUMNS, [RAW_TABLES.logs]],
    ['SERIES_COLUMNS', SERIES_COLUMNS, [RAW_TABLES.metricSeries]],
    ['ALERT_HISTORY_COLUMNS', ALERT_HISTORY_COLUMNS, [RAW_TABLES.alertHistory]],
    ['SPAN_ROLLUP_COLUMNS', SPAN_ROLLUP_COLUMNS, spanRollups],
    ['LOG_ROLLUP_COLUMNS', LOG_ROLLUP_COLUMNS, [ROLLUP_TABLES.logVolume.hourly, ROLLUP_TABLES.logVolume.daily]],
    ['POINT_COLUMNS', POINT_COLUMNS, Object.values(METRIC_POINT_TABLES)],
    ['METRIC_ROLLUP_COLUMNS', METRIC_ROLLUP_COLUMNS, metricRollups],
  ];
  for (const [name, vocabulary, tables] of vocabularies) {
    for (const [key, column] of Object.entries(vocabulary)) {
      assert.equal(key, column, `${name}.${key} names itself`);
      assert.ok(
        tables.some((t) => columnsOf(t).has(column)),
        `${name}.${column} is a column of ${tables.join(' or ')}`,
      );
    }
  }
  // Every metric table has the keys that select a metric's series.
  for (const table of [...Object.values(METRIC_POINT_TABLES), ...metricRollups]) {
    for (const column of [POINT_COLUMNS.MetricName, POINT_COLUMNS.Fingerprint])
      assert.ok(columnsOf(table).has(column), `${table}.${column}`);
  }
});

test("the fields of kept points are fields of the cumulative rollups' point tuples", () => {
  const cumulative = [
    ROLLUP_TABLES.histogramCumulative,
    ROLLUP_TABLES.expHistogramCumulative,
    ROLLUP_TABLES.summaryCumulative,
  ].map((r) => r.hourly);
  const tuples = cumulative.map((t) => columnsOf(t).get(METRIC_ROLLUP_COLUMNS.First) ?? '').join(' ');
  for (const field of Object.values(KEPT_POINT_FIELDS))
    assert.match(tuples, new RegExp(`[(,] ?${field} `), `kept point field ${field}`);
});

test("span classes cover every span table the planner reads, and the rollups list the catalog's tables", () => {
  for (const tables of [SERVICE_SPAN_TABLES, OPERATION_SPAN_TABLES]) {
    for (const { table } of Object.values(tables)) assert.ok(SPAN_CLASS[table], `span class of ${table}`);
  }
  assert.deepEqual(new Set(ROLLUPS.flatMap((r) => [r.hourly, ...r.cascaded])), new Set(rollupTables));
});
