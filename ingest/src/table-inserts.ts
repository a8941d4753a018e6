import type { InsertTable } from '@telemetryflow/clickhouse';
import type { ClickHouseWriter } from './clickhouse-writer.js';
import type { EncodedTables } from './decode-task.js';

/**
 * Inserts the rows of several requests, one insert per table, each with the token
 * `<token>-<table>`. Tables in `landed` are skipped (their insert already succeeded);
 * each table that succeeds is added to it, so a caller that splits a failed batch does
 * not insert those rows again.
 */
export async function insertTables(
  writer: ClickHouseWriter,
  requests: readonly EncodedTables['tables'][],
  token: string,
  landed: Set<InsertTable>,
): Promise<void> {
  const byTable = new Map<InsertTable, Uint8Array[]>();
  for (const tables of requests) {
    for (const [table, rows] of Object.entries(tables) as [InsertTable, { data: Uint8Array }][]) {
      if (landed.has(table)) continue;
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      list.push(rows.data);
    }
  }
  // Series before points, so a reader never sees points of a series it cannot describe.
  const order = [...byTable.keys()].sort((a, b) => (a === 'metric_series' ? -1 : b === 'metric_series' ? 1 : 0));
  for (const table of order) {
    const chunks = byTable.get(table)!;
    await writer.insert(table, chunks, `${token}-${table}`);
    landed.add(table);
  }
}

/** Rows and bytes of one request's tables. */
export function tablesSize(tables: EncodedTables['tables']): { rows: number; bytes: number } {
  let rows = 0;
  let bytes = 0;
  for (const t of Object.values(tables)) {
    rows += t.rows;
    bytes += t.data.byteLength;
  }
  return { rows, bytes };
}
