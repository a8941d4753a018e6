// ClickHouse writes the export file itself: the embedded engine with `INTO OUTFILE`, a server
// by streaming its HTTP answer into the file. Either way the file never passes through JS values.
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { embeddedInfo, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ExportFormat } from '@telemetryflow/contract';
import type { BoundQuery } from './export-query.js';

/** ClickHouse's output format of each export format. */
export const CLICKHOUSE_FORMATS: Record<ExportFormat, string> = {
  ndjson: 'JSONEachRow',
  'otlp-json': 'TabSeparatedRaw',
  csv: 'CSVWithNames',
  parquet: 'Parquet',
};

export const FILE_EXTENSIONS: Record<ExportFormat, string> = {
  ndjson: 'ndjson',
  'otlp-json': 'otlp.jsonl',
  csv: 'csv',
  parquet: 'parquet',
};

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  'otlp-json': 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export class ExportTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`the export is larger than the limit of ${maxBytes} bytes: narrow the range or the filters`);
  }
}

/** Paths we build ourselves (data dir + job uuid); anything else is refused before it reaches SQL. */
const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

export interface WrittenFile {
  rows: number;
  bytes: number;
}

/**
 * Writes the result of `query` in `format` to `path` (replaced if present), at most `maxBytes`
 * bytes: over it, the file is deleted and ExportTooLargeError thrown.
 */
export async function writeExportFile(
  ch: ClickHouseClient,
  query: BoundQuery,
  format: ExportFormat,
  path: string,
  opts: { maxBytes: number; maxExecutionSeconds: number },
): Promise<WrittenFile> {
  if (!SAFE_PATH.test(path)) throw new Error(`unsafe export path ${path}`);
  const chFormat = CLICKHOUSE_FORMATS[format];
  const settings = { max_execution_time: opts.maxExecutionSeconds };
  try {
    if (embeddedInfo(ch)) {
      // The embedded engine keeps a request's clickhouse_settings for its whole session (every
      // later insert and read would inherit them): settings go into the statement. INTO OUTFILE
      // takes only a literal, hence SAFE_PATH above.
      await ch.command({
        query: `${query.sql} INTO OUTFILE '${path}' TRUNCATE FORMAT ${chFormat} SETTINGS max_execution_time = ${Math.trunc(opts.maxExecutionSeconds)}`,
        query_params: query.params,
      });
      const bytes = (await stat(path)).size;
      if (bytes > opts.maxBytes) throw new ExportTooLargeError(opts.maxBytes);
      // An empty result is an empty file (no header either), whose structure nothing can read.
      if (bytes === 0) return { rows: 0, bytes };
      // Text files are counted without reading their columns (a header-only CSV has no structure to infer).
      const structure = format === 'parquet' ? '' : `, '_unused String'`;
      const counted = await ch.query({
        query: `SELECT count() AS n FROM file({path:String}, ${chFormat}${structure}) SETTINGS input_format_skip_unknown_fields = 1`,
        query_params: { path },
        format: 'JSONEachRow',
      });
      const [row] = await counted.json<{ n: string }>();
      return { rows: Number(row?.n ?? 0), bytes };
    }
    // A server: count first (the range is closed, so the answer is the file's rows unless late
    // data arrives in between), then stream the answer into the file under the byte bound.
    const counted = await ch.query({
      query: `SELECT count() AS n FROM (${query.sql})`,
      query_params: query.params,
      format: 'JSONEachRow',
      clickhouse_settings: { max_execution_time: opts.maxExecutionSeconds },
    });
    const [row] = await counted.json<{ n: string }>();
    const result = await ch.exec({
      query: `${query.sql} FORMAT ${chFormat}`,
      query_params: query.params,
      clickhouse_settings: settings,
    });
    const bytes = await streamBounded(result.stream, path, opts.maxBytes);
    return { rows: Number(row?.n ?? 0), bytes };
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

async function streamBounded(source: Readable, path: string, maxBytes: number): Promise<number> {
  let bytes = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new ExportTooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  await pipeline(source, bound, createWriteStream(path));
  return bytes;
}
