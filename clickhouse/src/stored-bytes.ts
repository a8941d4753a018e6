// Stored bytes per tenant and signal. ClickHouse keeps no per-tenant byte count: each raw
// table's active parts have bytes on disk (system.parts), and the tenant's rows in each part
// are counted (`_part`); a tenant is charged a part's bytes in proportion to its rows there.
// An approximation: rows of one tenant may compress better or worse than another's in the
// same part. Rollups (hourly, daily) are not included; neither are rows not yet merged away.
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { METRIC_POINT_TABLES, RAW_TABLES } from './read-catalog.js';

export const STORED_BYTES_TABLE = 'usage_stored_bytes';

/** The raw tables of each signal. */
export const SIGNAL_TABLES: Record<'traces' | 'logs' | 'metrics', readonly string[]> = {
  traces: [RAW_TABLES.spans, RAW_TABLES.traceIndex],
  logs: [RAW_TABLES.logs],
  metrics: [RAW_TABLES.metricSeries, ...Object.values(METRIC_POINT_TABLES)],
};

export interface StoredBytes {
  tenantId: string;
  signal: string;
  bytes: number;
  rows: number;
}

/** Each tenant's share of every signal's raw tables, as of now. */
export async function measureStoredBytes(ch: ClickHouseClient): Promise<StoredBytes[]> {
  const out = new Map<string, StoredBytes>();
  for (const [signal, tables] of Object.entries(SIGNAL_TABLES)) {
    for (const table of tables) {
      // The table name is one of the constants above, never input.
      const rs = await ch.query({
        query: `SELECT TenantId, sum(tenantRows) AS rows, sum(tenantRows * partBytes / partRows) AS bytes
                  FROM (SELECT _part AS part, TenantId, count() AS tenantRows FROM ${table} GROUP BY part, TenantId) AS t
                 INNER JOIN (SELECT name AS part, bytes_on_disk AS partBytes, rows AS partRows FROM system.parts
                              WHERE database = currentDatabase() AND table = {table:String} AND active AND rows > 0) AS p
                 USING part
                 GROUP BY TenantId`,
        query_params: { table },
        format: 'JSONEachRow',
      });
      for (const r of await rs.json<{ TenantId: string; rows: string | number; bytes: string | number }>()) {
        const key = `${r.TenantId}\u0000${signal}`;
        const s = out.get(key) ?? { tenantId: r.TenantId, signal, bytes: 0, rows: 0 };
        s.bytes += Number(r.bytes);
        s.rows += Number(r.rows);
        out.set(key, s);
      }
    }
  }
  return [...out.values()].map((s) => ({ ...s, bytes: Math.round(s.bytes) }));
}

/** Measures and stores the measurement for the current hour; resolves with what it stored. */
export async function recordStoredBytes(ch: ClickHouseClient, nowMs = Date.now()): Promise<StoredBytes[]> {
  const measured = await measureStoredBytes(ch);
  if (measured.length === 0) return measured;
  const hour = Math.floor(nowMs / 3_600_000) * 3600;
  const rows = measured.map((s) =>
    JSON.stringify({
      TenantId: s.tenantId,
      Hour: hour,
      Signal: s.signal,
      Bytes: s.bytes,
      Rows: s.rows,
      MeasuredAt: new Date(nowMs).toISOString().replace('T', ' ').replace('Z', ''),
    }),
  );
  // Settings in the statement: the embedded engine keeps clickhouse_settings for its session.
  const result = await ch.exec({
    query: `INSERT INTO ${STORED_BYTES_TABLE} (TenantId, Hour, Signal, Bytes, Rows, MeasuredAt)
            SETTINGS async_insert = 0 FORMAT JSONEachRow`,
    values: Readable.from([rows.join('\n') + '\n']),
  });
  result.stream.resume();
  return measured;
}

/** Records stored bytes every `intervalMs` (the first within 5 s of start); never throws. */
export class StoredBytesMeter {
  private first: NodeJS.Timeout | undefined;
  private every: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly ch: ClickHouseClient,
    private readonly intervalMs: number,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  start(): this {
    const tick = () => {
      this.running ??= recordStoredBytes(this.ch)
        .catch((err: unknown) => this.log(`usage: measuring stored bytes failed: ${String(err)}`))
        .finally(() => (this.running = undefined));
    };
    this.first = setTimeout(tick, Math.min(this.intervalMs, 5_000)).unref();
    this.every = setInterval(tick, this.intervalMs).unref();
    return this;
  }

  async close(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.every);
    await this.running;
  }
}
