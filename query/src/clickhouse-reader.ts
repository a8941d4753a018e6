// Every read query of the API goes through here: bound parameters only, and the query
// limits as ClickHouse settings, so a heavy query fails fast with a 422 naming the limit
// instead of running for minutes, exhausting memory or ending as a 500.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { embeddedInfo, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { ApiError, invalidParameter } from '@telemetryflow/http-kit';
import type { UsageSink } from '@telemetryflow/otlp';
import { CLICKHOUSE, QUERY_LIMITS, QUERY_QUOTAS, QUERY_USAGE } from './http/tokens.js';
import type { QueryLimits } from './query-limits.js';
import type { QueryQuotaGuard } from './query-quotas.js';
import { clientGoneSignal, unlessClientGone } from './http/client-gone.js';

/** ClickHouse errors that mean "this query went past a limit" → the limit's name. */
const LIMIT_ERRORS: Record<string, { limit: keyof QueryLimits; what: string }> = {
  TIMEOUT_EXCEEDED: { limit: 'maxExecutionSeconds', what: 'ran longer than' },
  TOO_SLOW: { limit: 'maxExecutionSeconds', what: 'would run longer than' },
  TOO_MANY_ROWS: { limit: 'maxRowsToRead', what: 'would read more rows than' },
  TOO_MANY_ROWS_OR_BYTES: { limit: 'maxRowsToRead', what: 'would read more rows than' },
  MEMORY_LIMIT_EXCEEDED: { limit: 'maxMemoryBytes', what: 'needed more memory than' },
};

/**
 * The settings clause appended to each read query. The limits are numbers from the
 * server's configuration (validated integers), never request input. They go into the SQL
 * rather than `clickhouse_settings` because the embedded engine keeps settings of a
 * request for its whole session: the writer's inserts would inherit them.
 */
export function limitSettings(limits: QueryLimits): string {
  return (
    ` SETTINGS max_execution_time = ${limits.maxExecutionSeconds}, timeout_overflow_mode = 'throw',` +
    ` max_rows_to_read = ${limits.maxRowsToRead}, read_overflow_mode = 'throw', max_memory_usage = ${limits.maxMemoryBytes}`
  );
}

/** A ClickHouse failure caused by the query's limits or its regular expressions → 422 / 400; others unchanged. */
export function limitError(err: unknown, limits: QueryLimits): unknown {
  const { type, message } = (err ?? {}) as { type?: unknown; message?: unknown };
  if (typeof type !== 'string') return err;
  // A per-query memory limit says "(for query)"; the server-wide one is overload (503).
  if (type === 'MEMORY_LIMIT_EXCEEDED' && typeof message === 'string' && !message.includes('for query')) return err;
  const hit = LIMIT_ERRORS[type];
  if (hit) {
    return new ApiError(
      422,
      'query_limit_exceeded',
      `the query ${hit.what} ${hit.limit} (${limits[hit.limit]}); narrow the time range or add filters`,
      { limit: hit.limit, value: limits[hit.limit], narrow: ['from', 'to', 'filters'] },
    );
  }
  if (type === 'CANNOT_COMPILE_REGEXP')
    return invalidParameter('filters', 'a regular expression is not valid RE2 syntax');
  return err;
}

/**
 * Usage counts queries; the rows a JSON read returned stand for its rows read. `FORMAT JSON`'s
 * read statistics were tried: the embedded engine then answers a query with the JSON document of a
 * query that hit its time limit before it, so JSON reads keep `JSONEachRow` (see ADR 0022).
 */
@Injectable()
export class ClickHouseReader {
  constructor(
    @Inject(CLICKHOUSE) readonly client: ClickHouseClient,
    @Inject(QUERY_LIMITS) readonly limits: QueryLimits,
    @Optional() @Inject(QUERY_QUOTAS) private readonly quotas?: QueryQuotaGuard,
    @Optional() @Inject(QUERY_USAGE) private readonly usage?: UsageSink,
  ) {}

  /**
   * Runs a SELECT (no SETTINGS or FORMAT clause of its own) with bound `params` under the limits.
   * `settings`: more output settings, fixed text of the caller's (never request input).
   * A query bound to a tenant (`{tenant:String}`) is held to its quotas and counted as its usage.
   */
  async select<T>(query: string, params: Record<string, unknown>, settings?: string): Promise<T[]> {
    const tenant = typeof params.tenant === 'string' ? params.tenant : undefined;
    const release = tenant !== undefined ? await this.quotas?.enter(tenant, params) : undefined;
    try {
      const rs = await this.client.query({
        query: query.trimEnd() + limitSettings(this.limits) + (settings ? `, ${settings}` : ''),
        query_params: params,
        format: 'JSONEachRow',
        abort_signal: clientGoneSignal(),
      });
      const rows = await rs.json<T>();
      if (tenant !== undefined) this.usage?.add(tenant, 'queries', 'run', { requests: 1, items: rows.length });
      return rows;
    } catch (err) {
      throw limitError(unlessClientGone(err), this.limits);
    } finally {
      release?.();
    }
  }

  /**
   * Like select, but the rows come as ClickHouse's RowBinary bytes, decoded by `decode`, for reads
   * of many numbers (PromQL samples) where parsing JSON would cost more than the query. Rows read:
   * a ClickHouse server's `X-ClickHouse-Summary` (final: `wait_end_of_query`); the embedded engine
   * reports none for a binary format, so there `rowsRead` of the decoded rows counts them (the
   * stored rows the query matched).
   */
  async selectRowBinary<T>(
    query: string,
    params: Record<string, unknown>,
    decode: (bytes: Buffer) => T[],
    rowsRead: (rows: T[]) => number,
  ): Promise<T[]> {
    const tenant = typeof params.tenant === 'string' ? params.tenant : undefined;
    const release = tenant !== undefined ? await this.quotas?.enter(tenant, params) : undefined;
    try {
      const sql = `${query.trimEnd()}${limitSettings(this.limits)}`;
      const embedded = embeddedInfo(this.client);
      if (embedded) {
        const rows = decode(
          await readThroughSpoolFile(this.client, embedded.spoolDir, sql, params, clientGoneSignal()),
        );
        if (tenant !== undefined)
          this.usage?.add(tenant, 'queries', 'run', { requests: 1, items: rowsRead(rows), bytes: 0 });
        return rows;
      }
      const result = await this.client.exec({
        query: `${sql} FORMAT RowBinary`,
        query_params: params,
        abort_signal: clientGoneSignal(),
        // The summary header comes after the last row is read.
        clickhouse_settings: { wait_end_of_query: 1 },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(chunk as Buffer);
      const rows = decode(Buffer.concat(chunks));
      if (tenant !== undefined)
        this.usage?.add(tenant, 'queries', 'run', {
          requests: 1,
          items: Number(result.summary?.read_rows ?? 0),
          bytes: Number(result.summary?.read_bytes ?? 0),
        });
      return rows;
    } catch (err) {
      throw limitError(unlessClientGone(err), this.limits);
    } finally {
      release?.();
    }
  }
}

/**
 * The embedded engine hands a result to JavaScript at ~15–20 ms of CPU per MB (measured: 24.5 MB
 * of PromQL samples cost ~700–1,300 ms CPU returned in memory, ~400–600 ms written to a file and
 * read back), so a large binary result is written by the engine into a file of this process's
 * spool directory and read from there. The file's name is this module's, never request input.
 */
async function readThroughSpoolFile(
  client: ClickHouseClient,
  spoolDir: string,
  sql: string,
  params: Record<string, unknown>,
  abortSignal: AbortSignal | undefined,
): Promise<Buffer> {
  const file = join(spoolDir, `read-${randomUUID()}.bin`);
  try {
    await client.command({
      query: `${sql} INTO OUTFILE '${file}' FORMAT RowBinary`,
      query_params: params,
      abort_signal: abortSignal,
    });
    return await readFile(file);
  } finally {
    await rm(file, { force: true });
  }
}
