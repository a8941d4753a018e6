// Migration 0013 on a store that has span rollups from before it (own file: the embedded
// engine opens one data directory per process).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createClickHouse, loadMigrations, migrate } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tf-rollups-0013-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 21:00 UTC five days ago. */
const BASE_S = Math.floor(Date.now() / 1000 / 86400) * 86400 - 5 * 86400 + 21 * 3600;

describe('migration 0013 on rollups written before it', () => {
  test('per-service rows are rebuilt from the per-operation rollups by span kind; totals are unchanged, nothing is left undivided', async () => {
    const before0013 = await createClickHouse({ dataDir: dir });
    try {
      const migrations = loadMigrations();
      await migrate(
        before0013,
        migrations.filter((m) => m.version < 13),
      );
      // Two days (so daily rows too) of spans of three kinds, the last one in an hour of its own.
      await before0013.command({
        query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs, StatusCode)
                SETTINGS async_insert = 0
                SELECT 'old', hex(generateUUIDv4()), lower(hex(number + 1)), if(number % 4 = 0, '0102030405060708', ''), ['api', 'db'][number % 2 + 1], 'op',
                       ['SPAN_KIND_SERVER', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_CONSUMER'][number % 3 + 1],
                       toUInt64({base:UInt32}) * 1000000000 + number * 60000000000 AS start, start + 1000000 * (number % 50 + 1), 1000000 * (number % 50 + 1),
                       if(number % 9 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET')
                FROM numbers(3000)`,
        query_params: { base: BASE_S },
      });
      const totalsOf = async (table: string) => {
        const rs = await before0013.query({
          query: `SELECT sum(Count) AS n, sum(ErrorCount) AS e, sum(DurationSum) AS d FROM ${table} WHERE TenantId = 'old'`,
          format: 'JSONEachRow',
        });
        return (await rs.json<{ n: string; e: string; d: string }>())[0]!;
      };
      const hourlyBefore = await totalsOf('spans_service_red_hourly');
      const dailyBefore = await totalsOf('spans_service_red_daily');
      assert.deepEqual(await migrate(before0013), {
        applied: migrations.filter((m) => m.version >= 13).map((m) => m.version),
        alreadyApplied: migrations.filter((m) => m.version < 13).map((m) => m.version),
      });
      assert.deepEqual(await totalsOf('spans_service_red_hourly'), hourlyBefore);
      assert.deepEqual(await totalsOf('spans_service_red_daily'), dailyBefore);
      for (const [table, time] of [
        ['spans_service_red_hourly', 'Hour'],
        ['spans_service_red_daily', 'Day'],
      ] as const) {
        const rs = await before0013.query({
          query: `SELECT toString(Entry) AS entry, sum(Count) AS n FROM ${table} WHERE TenantId = 'old' GROUP BY entry ORDER BY entry`,
          format: 'JSONEachRow',
        });
        // Server and consumer spans by their kind; whether old spans were roots is not known: 'other'.
        assert.deepEqual(
          await rs.json(),
          [
            { entry: 'other', n: '1000' },
            { entry: 'server_consumer', n: '2000' },
          ],
          table,
        );
        const perTime = await before0013.query({
          query: `SELECT uniqExact(${time}) AS n FROM ${table} WHERE TenantId = 'old'`,
          format: 'JSONEachRow',
        });
        assert.ok(Number(((await perTime.json()) as { n: string }[])[0]!.n) > 1, `${table} has several ${time}s`);
      }
      // Spans arriving after the migration are classified by the views, roots included.
      await before0013.command({
        query: `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs) SETTINGS async_insert = 0
                VALUES ('old', '0af7651916cd43dd8448eb211c80319c', '00f067aa0ba902b7', 'db', 'op', 'SPAN_KIND_CLIENT', {t:UInt64}, {t:UInt64} + 5, 5)`,
        query_params: { t: String(BigInt(BASE_S) * 1_000_000_000n) },
      });
      const root = await before0013.query({
        query: "SELECT sum(Count) AS n FROM spans_service_red_daily WHERE TenantId = 'old' AND Entry = 'root'",
        format: 'JSONEachRow',
      });
      assert.deepEqual(await root.json(), [{ n: '1' }]);
      // A second run of the migration's statements (as after an interruption) changes nothing.
      const again = migrations.find((m) => m.version === 13)!;
      for (const statement of again.statements) await before0013.command({ query: statement });
      assert.deepEqual(await totalsOf('spans_service_red_daily'), {
        ...dailyBefore,
        n: String(Number(dailyBefore.n) + 1),
        d: String(Number(dailyBefore.d) + 5),
      });
    } finally {
      await before0013.close();
    }
  });
});
