// Migration 0018 (EndTime computed, stronger codecs) on spans and logs written before it
// (own file: the embedded engine opens one data directory per process).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createClickHouse, loadMigrations, migrate, type ClickHouseClient } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tf-span-storage-0018-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Midnight UTC three days ago, in seconds. */
const BASE_S = Math.floor(Date.now() / 1000 / 86400) * 86400 - 3 * 86400;
/** Trace `n` of a load: spans in five services, started a minute apart over three days. */
const traceIdOf = (n: string) =>
  `concat(leftPad(hex(cityHash64(${n}, 1)), 16, '0'), leftPad(hex(cityHash64(${n}, 2)), 16, '0'))`;

async function loadSpans(ch: ClickHouseClient, tenant: string, from: number, traces: number): Promise<void> {
  await ch.command({
    query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, ${traceIdOf('tr')}, leftPad(hex(number + 1), 16, '0'), '', concat('svc-', toString(number % 5)), 'op', 'SPAN_KIND_SERVER',
                   toUInt64({base:UInt32}) * 1000000000 + tr * 60000000000 + idx * 1000000 AS start, start + 500000, 500000, 'STATUS_CODE_UNSET'
            FROM (SELECT number, intDiv(number, 5) + {from:UInt32} AS tr, number % 5 AS idx FROM numbers({n:UInt32}))`,
    query_params: { tenant, base: BASE_S, from, n: traces * 5 },
  });
  // One log record per trace, an hour after it started (async work the trace caused).
  await ch.command({
    query: `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, ServiceName, Body)
            SETTINGS async_insert = 0
            SELECT {tenant:String}, toUInt64({base:UInt32}) * 1000000000 + tr * 60000000000 + 3600000000000 AS t, t, ${traceIdOf('tr')}, '', 'svc-0', concat('done ', toString(tr))
            FROM (SELECT number + {from:UInt32} AS tr FROM numbers({n:UInt32}))`,
    query_params: { tenant, base: BASE_S, from, n: traces },
  });
}

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** What trace by id reads: the trace's spans (id and end time) and log records. */
async function lookup(ch: ClickHouseClient, tenant: string, tr: number) {
  const [trace] = await rows<{ id: string }>(ch, `SELECT ${traceIdOf('toUInt64({tr:UInt32})')} AS id`, { tr });
  const params = { tenant, id: trace!.id };
  const where = 'TenantId = {tenant:String} AND TraceId = unhex({id:String})';
  const spans = await rows<{ s: string }>(
    ch,
    `SELECT concat(lower(hex(SpanId)), ' ends ', toString(toUnixTimestamp64Nano(EndTime))) AS s FROM spans WHERE ${where} ORDER BY s`,
    params,
  );
  const logs = await rows<{ b: string }>(ch, `SELECT Body AS b FROM logs WHERE ${where}`, params);
  return { spans: spans.map((r) => r.s), logs: logs.map((r) => r.b) };
}

describe('migration 0018 on spans and logs written before it', () => {
  test('spans keep their end times (now computed), traces and their logs are found as before, and attribute maps and bodies use ZSTD(3)', async () => {
    const ch = await createClickHouse({ dataDir: dir });
    try {
      const migrations = loadMigrations();
      await migrate(
        ch,
        migrations.filter((m) => m.version < 18),
      );
      // Two inserts (two parts per partition) of 2,000 traces each over three days, and another tenant.
      await loadSpans(ch, 'old', 0, 2000);
      await loadSpans(ch, 'old', 2000, 2000);
      await loadSpans(ch, 'other', 0, 500);
      const before = await lookup(ch, 'old', 2345);
      assert.equal(before.spans.length, 5);
      const startNs = BigInt(BASE_S) * 1_000_000_000n + 2345n * 60_000_000_000n;
      assert.ok(before.spans.includes(`00000000000006c2 ends ${startNs + 4_000_000n + 500_000n}`), before.spans.join());
      assert.deepEqual(before.logs, ['done 2345']);
      const traceBounds = async () =>
        rows(ch, `SELECT TraceId, min(Start) AS s, max(End) AS e FROM trace_index GROUP BY TraceId ORDER BY TraceId`);
      const boundsBefore = await traceBounds();

      // Through 0020: migration 0021 changes the attribute maps' codecs again (span-codecs-migration.test.ts).
      await migrate(
        ch,
        migrations.filter((m) => m.version <= 20),
      );
      // Spans written after the migration: trace_index takes their ends from StartTime + DurationNs.
      await loadSpans(ch, 'old', 4000, 100);
      assert.deepEqual(await lookup(ch, 'old', 2345), before);
      const after = await lookup(ch, 'old', 4050);
      const startAfter = BigInt(BASE_S) * 1_000_000_000n + 4050n * 60_000_000_000n;
      assert.ok(
        after.spans.includes(`00000000000000ff ends ${startAfter + 4_000_000n + 500_000n}`),
        after.spans.join(),
      );
      assert.deepEqual(after.logs, ['done 4050']);
      assert.deepEqual(await lookup(ch, 'other', 4050), { spans: [], logs: [] }, "another tenant's rows are not found");
      const boundsAfter = await traceBounds();
      assert.equal(boundsAfter.length, boundsBefore.length + 100);
      for (const b of boundsBefore) assert.ok(boundsAfter.some((a) => JSON.stringify(a) === JSON.stringify(b)));

      assert.deepEqual(
        await rows(
          ch,
          `SELECT table, name, default_kind, compression_codec FROM system.columns
           WHERE database = currentDatabase() AND (table, name) IN (('spans', 'EndTime'), ('spans', 'Attributes'), ('logs', 'Body'))
           ORDER BY table, name`,
        ),
        [
          { table: 'logs', name: 'Body', default_kind: '', compression_codec: 'CODEC(ZSTD(3))' },
          { table: 'spans', name: 'Attributes', default_kind: '', compression_codec: 'CODEC(ZSTD(3))' },
          { table: 'spans', name: 'EndTime', default_kind: 'ALIAS', compression_codec: '' },
        ],
      );
    } finally {
      await ch.close();
    }
  });
});
