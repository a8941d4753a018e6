import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { embeddedInfo } from './client.js';
import { insertFromFileStatement, insertStatement, type InsertTable } from './tables.js';

/**
 * Inserts RowBinary rows (columns as in INSERT_COLUMNS[table]), given whole or as chunks
 * to be sent in order (so that a batch of requests is never copied into one buffer). A
 * server gets them as the request body; the embedded engine reads them from a staged
 * file, since its connection turns request bodies into text.
 */
export async function insertRowBinary(
  client: ClickHouseClient,
  table: InsertTable,
  data: Uint8Array | readonly Uint8Array[],
  deduplicationToken?: string,
): Promise<void> {
  const chunks = data instanceof Uint8Array ? [data] : data;
  const embedded = embeddedInfo(client);
  if (!embedded) {
    const result = await client.exec({
      query: insertStatement(table, deduplicationToken),
      values: Readable.from(chunks),
    });
    result.stream.resume();
    return;
  }
  const path = join(embedded.spoolDir, `${randomUUID()}.bin`);
  await writeFile(path, chunks);
  try {
    await client.command({ query: insertFromFileStatement(table, deduplicationToken), query_params: { path } });
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * Inserts rows as JSONEachRow with `settings` (fixed SQL text of the caller) in the statement:
 * the embedded engine keeps a request's clickhouse_settings for its whole session, so every
 * later statement of the process would inherit them.
 */
export async function insertJsonRows(
  ch: ClickHouseClient,
  table: string,
  rows: readonly object[],
  settings: string,
): Promise<void> {
  if (rows.length === 0) return;
  const result = await ch.exec({
    query: `INSERT INTO ${table} SETTINGS ${settings} FORMAT JSONEachRow`,
    values: Readable.from([rows.map((r) => JSON.stringify(r)).join('\n') + '\n']),
  });
  for await (const chunk of result.stream) void chunk;
}
