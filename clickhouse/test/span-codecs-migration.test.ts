// Migration 0021 (stronger codecs for the attribute maps and trace_index's bounds) on
// spans written before it: every trace reads the same before the migration, after it, and
// after merges rewrote the old parts with the new codecs, which store fewer bytes
// (own file: the embedded engine opens one data directory per process).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createClickHouse, loadMigrations, migrate, type ClickHouseClient } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tf-span-codecs-0021-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Midnight UTC two days ago, in seconds. */
const BASE_S = Math.floor(Date.now() / 1000 / 86400) * 86400 - 2 * 86400;
const traceIdOf = (n: string) =>
  `concat(leftPad(hex(cityHash64(${n}, 1)), 16, '0'), leftPad(hex(cityHash64(${n}, 2)), 16, '0'))`;

/**
 * Traces `from` … `from + traces - 1` of 5 spans in 5 services, a second apart, each span
 * with resource and span attributes (a route of 50, a user of 10,000) and a random duration.
 */
async function loadSpans(ch: ClickHouseClient, from: number, traces: number): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs,
                               StatusCode, ResourceAttributes, Attributes)
            SETTINGS async_insert = 0
            SELECT 'acme', ${traceIdOf('tr')}, leftPad(hex(row + 1), 16, '0'), if(idx = 0, '', leftPad(hex(row - idx + 1), 16, '0')),
                   svc, concat('op-', toString(tr % 10)), if(idx = 0, 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT'),
                   t, t + d, d, 'STATUS_CODE_UNSET',
                   map('service.name', svc, 'host.name', concat('host-', toString(tr % 40))),
                   map('http.route', concat('/api/r', toString(tr % 50)), 'user.id', concat('user-', toString(tr % 10000)))
            FROM (SELECT number + {from:UInt32} * 5 AS row, intDiv(row, 5) AS tr, row % 5 AS idx, concat('svc-', toString((tr + idx) % 5)) AS svc,
                         toUInt64({base:UInt32}) * 1000000000 + tr * 1000000000 + idx * 1000000 AS t, toUInt64(cityHash64(row) % 50000000) AS d
                  FROM numbers({n:UInt32}))`,
    query_params: { base: BASE_S, from, n: traces * 5 },
  });
}

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

interface SampleRow {
  traceId: string;
  spanId: string;
  startNs: string;
  endNs: string;
  bounds: [string, string];
}

/** Every column a trace by id returns, for a sample of traces, and trace_index's bounds of them. */
async function sample(ch: ClickHouseClient): Promise<SampleRow[]> {
  return rows<SampleRow>(
    ch,
    `SELECT lower(hex(TraceId)) AS traceId, lower(hex(SpanId)) AS spanId, lower(hex(ParentSpanId)) AS parentSpanId, ServiceName, Name,
            toString(toUnixTimestamp64Nano(StartTime)) AS startNs, toString(toUnixTimestamp64Nano(EndTime)) AS endNs, DurationNs,
            Attributes, ResourceAttributes, [i.first, i.last] AS bounds
       FROM spans AS sp
       LEFT JOIN (SELECT TraceId, toString(toUnixTimestamp64Nano(min(Start))) AS first, toString(toUnixTimestamp64Nano(max(End))) AS last
                    FROM trace_index WHERE TenantId = 'acme' GROUP BY TraceId) AS i ON i.TraceId = sp.TraceId
      WHERE sp.TenantId = 'acme' AND intDiv(reinterpretAsUInt64(reverse(sp.SpanId)) - 1, 5) % 997 = 0
      ORDER BY traceId, spanId`,
  );
}

/** Compressed bytes of the columns 0021 changes. */
async function columnBytes(ch: ClickHouseClient): Promise<Record<string, number>> {
  const r = await rows<{ table: string; name: string; bytes: string }>(
    ch,
    `SELECT table, name, data_compressed_bytes AS bytes FROM system.columns
      WHERE database = currentDatabase()
        AND (table, name) IN (('spans', 'Attributes'), ('spans', 'ResourceAttributes'), ('trace_index', 'Start'), ('trace_index', 'End'))`,
  );
  return Object.fromEntries(r.map((c) => [`${c.table}.${c.name}`, Number(c.bytes)]));
}

describe('migration 0021 on spans written before it', () => {
  test('traces read the same before, after and once merges rewrote the parts, which then hold fewer bytes', async () => {
    const ch = await createClickHouse({ dataDir: dir });
    try {
      await migrate(
        ch,
        loadMigrations().filter((m) => m.version < 21),
      );
      // Wide parts, whose columns have their own files and sizes in system.columns (a compact
      // part of the test's few trace_index rows reports none).
      await ch.command({ query: 'ALTER TABLE trace_index MODIFY SETTING min_bytes_for_wide_part = 0' });
      // 40,000 traces (200,000 spans) in two inserts, merged to one part as a day's data would be.
      await loadSpans(ch, 0, 20_000);
      await loadSpans(ch, 20_000, 20_000);
      await ch.command({ query: 'OPTIMIZE TABLE spans FINAL' });
      await ch.command({ query: 'OPTIMIZE TABLE trace_index FINAL' });
      const before = await sample(ch);
      assert.equal(before.length, 41 * 5);
      const bytesBefore = await columnBytes(ch);

      await migrate(ch);
      assert.deepEqual(await sample(ch), before, 'old parts read the same under the new codecs');
      // Spans written after the migration, and the rewrite of every old part by a merge.
      await loadSpans(ch, 40_800, 100);
      await ch.command({ query: 'OPTIMIZE TABLE spans FINAL' });
      await ch.command({ query: 'OPTIMIZE TABLE trace_index FINAL' });
      const merged = await sample(ch);
      const old = new Set(before.map((r) => r.traceId));
      assert.deepEqual(
        merged.filter((r) => old.has(r.traceId)),
        before,
        'old parts read the same once merges rewrote them',
      );
      const written = merged.filter((r) => !old.has(r.traceId));
      assert.equal(written.length, 5, 'the sampled trace written after the migration (40,877), whole');
      const ns = (k: 'startNs' | 'endNs') => written.map((r) => BigInt(r[k]));
      assert.deepEqual(written[0]!.bounds, [
        String(ns('startNs').reduce((a, b) => (a < b ? a : b))),
        String(ns('endNs').reduce((a, b) => (a > b ? a : b))),
      ]);

      const bytesAfter = await columnBytes(ch);
      for (const [column, bytes] of Object.entries(bytesBefore))
        assert.ok(bytesAfter[column]! < bytes, `${column}: ${bytesAfter[column]} bytes after, ${bytes} before`);

      assert.deepEqual(
        await rows(
          ch,
          `SELECT table, name, type, default_expression, compression_codec FROM system.columns
            WHERE database = currentDatabase()
              AND (table, name) IN (('spans', 'Attributes'), ('spans', 'ResourceAttributes'), ('trace_index', 'Start'), ('trace_index', 'End'))
            ORDER BY table, name`,
        ),
        [
          {
            table: 'spans',
            name: 'Attributes',
            type: 'Map(LowCardinality(String), String)',
            default_expression: '',
            compression_codec: 'CODEC(ZSTD(6))',
          },
          {
            table: 'spans',
            name: 'ResourceAttributes',
            type: 'Map(LowCardinality(String), String)',
            default_expression: '',
            compression_codec: 'CODEC(ZSTD(6))',
          },
          {
            table: 'trace_index',
            name: 'End',
            type: 'SimpleAggregateFunction(max, DateTime64(9))',
            default_expression: '',
            compression_codec: 'CODEC(T64, ZSTD(3))',
          },
          {
            table: 'trace_index',
            name: 'Start',
            type: 'SimpleAggregateFunction(min, DateTime64(9))',
            default_expression: '',
            compression_codec: 'CODEC(T64, ZSTD(3))',
          },
        ],
      );
    } finally {
      await ch.close();
    }
  });
});
