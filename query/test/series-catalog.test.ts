import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertRowBinary, SERIES_SEEN_BUCKET_MS, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { encodeExportRequestObject } from '@telemetryflow/otlp';
import { SeriesCatalogGate, transcodeMetricsRequest } from '@telemetryflow/rows';
import { metricsRequest } from '@telemetryflow/rows/test-fixtures';
import { ClickHouseReader } from '../src/clickhouse-reader.js';
import { SeriesCatalog } from '../src/prometheus/series-catalog.js';
import { DEFAULT_QUERY_LIMITS } from '../src/query-limits.js';
import { startClickHouse, tempDir } from './helpers.js';

const dir = tempDir('tf-series-catalog-');
let ch: ClickHouseClient;
let catalog: SeriesCatalog;

const MIN = 60_000;
// Three minutes into a bucket: 30 minutes of points touch four buckets.
const T0_MS = Date.UTC(2026, 0, 5, 10, 3);
const TENANT = 'catalog';

/** One gauge point of `room.temp{room="a"}` at `ms`, as a writer sends it once a minute. */
function request(ms: number): Uint8Array {
  const timeUnixNano = (BigInt(ms) * 1_000_000n).toString();
  return encodeExportRequestObject(
    'metrics',
    metricsRequest([
      {
        name: 'room.temp',
        gauge: {
          dataPoints: [{ timeUnixNano, asDouble: 21.5, attributes: [{ key: 'room', value: { stringValue: 'a' } }] }],
        },
      },
    ]),
  );
}

let stamp = 0;
before(async () => {
  ch = await startClickHouse(dir.path);
  catalog = new SeriesCatalog(new ClickHouseReader(ch, DEFAULT_QUERY_LIMITS), 1000);
  // Every catalog row written stays a row of its own.
  await ch.command({ query: 'SYSTEM STOP MERGES metric_series' });
  const gate = new SeriesCatalogGate();
  for (let i = 0; i < 30; i++) {
    const tables = transcodeMetricsRequest(TENANT, request(T0_MS + i * MIN))!.tables;
    const series = gate.filter(tables.metric_series!.data, tables.metric_series!.rows);
    if (series.rows > 0) await insertRowBinary(ch, 'metric_series', series.data, `catalog-${stamp++}`);
    await insertRowBinary(ch, 'metrics_gauge', tables.metrics_gauge!.data, `catalog-${stamp++}`);
  }
});

after(async () => {
  await ch.close();
  dir.remove();
});

test('a series written once a minute for 30 minutes leaves at most 4 catalog rows, one per 10-minute bucket', async () => {
  const rs = await ch.query({
    query: 'SELECT count() AS n FROM metric_series WHERE TenantId = {t:String}',
    query_params: { t: TENANT },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string }>();
  assert.equal(Number(row!.n), 4);
});

test('the catalog lists the series for every range it has a point in, by metric and by series', async () => {
  for (let i = 0; i < 30; i++) {
    const start = T0_MS + i * MIN - 10_000;
    const end = start + 20_000;
    const series = await catalog.seriesOf(TENANT, ['room.temp'], [], start, end, 10);
    assert.deepEqual(
      series.map((s) => s.attributes),
      [{ room: 'a' }],
      `range around minute ${i}`,
    );
    const metrics = await catalog.metricsSeen(TENANT, start, end);
    assert.deepEqual(
      metrics.map((m) => m.name),
      ['room.temp'],
      `metrics around minute ${i}`,
    );
  }
});

test('a range more than a bucket away from every point does not list the series', async () => {
  const last = T0_MS + 29 * MIN;
  const later = last + SERIES_SEEN_BUCKET_MS + MIN;
  assert.deepEqual(await catalog.seriesOf(TENANT, ['room.temp'], [], later, later + MIN, 10), []);
  const earlier = T0_MS - SERIES_SEEN_BUCKET_MS - 2 * MIN;
  assert.deepEqual(await catalog.seriesOf(TENANT, ['room.temp'], [], earlier, earlier + MIN, 10), []);
});
