import { encodeRowBinary, type InsertTable } from '@telemetryflow/clickhouse';
import { decodeExportRequest, MalformedPayloadError, type DecodedRequest, type ExportRequestBySignal, type OtlpEncoding, type Signal } from '@telemetryflow/otlp';
import type { LiveRows } from './live-feed.js';
import { logsRequestToRows } from './rows/logs.js';
import { metricsRequestToRows } from './rows/metrics.js';
import { encodeLogsRequest } from './rows/log-writer.js';
import { TimeWindow } from './rows/fields.js';
import type { RowBatch, RowContext } from './rows/row-batch.js';
import type { EncodedItems } from './rows/field-writers.js';
import { encodeTraceRequest } from './rows/span-writer.js';
import { transcodeTraceRequest } from './rows/span-wire.js';
import { traceRequestToRows } from './rows/spans.js';

export interface DecodeTask {
  tenantId: string;
  signal: Signal;
  encoding: OtlpEncoding;
  payload: Uint8Array;
  /** Nanoseconds since the epoch, as a decimal string (bigint does not cross threads cheaply). */
  receivedAtNs: string;
  /**
   * Items whose time is before this (nanoseconds, decimal) are past the tenant's retention
   * and refused; "0": no retention known.
   */
  notBeforeNs: string;
  /** Also return the span and log rows (for the live feed). */
  keepRows?: boolean;
}

export type DecodeResult = { ok: true; batch: RowBatch } | { ok: false; malformed: string };

/** RowBinary bytes per table, ready to insert. */
export interface EncodedTables {
  tables: Partial<Record<InsertTable, { data: Uint8Array; rows: number }>>;
  accepted: number;
  rejected: number;
  errorMessage: string;
  /** Set when the task asked to keep rows. */
  rows?: LiveRows;
}

export type EncodedResult = { ok: true; batch: EncodedTables } | { ok: false; malformed: string };

/** What a decoder thread returns for one request of the in-process pipeline. */
export interface DecodeOutput {
  /** The request's identity in the pipeline's RequestLedger. */
  identity: string;
  result: EncodedResult;
}

/**
 * OTLP payload → RowBinary per ClickHouse table: what the decoder threads do. Spans and
 * logs are written straight from the decoded request (no row arrays) unless the task
 * keeps rows for the live feed.
 */
export function decodeAndEncode(task: DecodeTask): EncodedResult {
  return permanentOnThrow(() => {
    if (task.keepRows || task.signal === 'metrics') return encodeViaRows(task);
    // RowBinary rows are a few times larger than their protobuf.
    const initialBytes = Math.max(1024, task.payload.length * 3);
    const window = new TimeWindow(BigInt(task.notBeforeNs));
    const wire =
      task.signal === 'traces' && task.encoding === 'protobuf' ? transcodeTraceRequest(task.tenantId, task.payload, initialBytes, window) : undefined;
    if (wire) return { ok: true, batch: encodedTable('spans', wire) };
    const decoded = decodeRequest(task);
    if (!decoded.ok) return decoded;
    const context: RowContext = { window, refused: decoded.refused };
    const items =
      task.signal === 'traces'
        ? encodeTraceRequest(task.tenantId, decoded.request as ExportRequestBySignal['traces'], initialBytes, context)
        : encodeLogsRequest(task.tenantId, decoded.request as ExportRequestBySignal['logs'], BigInt(task.receivedAtNs), initialBytes, context);
    return { ok: true, batch: encodedTable(task.signal === 'traces' ? 'spans' : 'logs', items) };
  });
}

/**
 * Anything the conversion of a client's payload throws besides its own refusals would be
 * thrown again on every retry of that payload: it is reported as malformed (permanent),
 * never as a transient failure the client would retry forever.
 */
export function permanentOnThrow<R extends { ok: boolean }>(convert: () => R): R | { ok: false; malformed: string } {
  try {
    return convert();
  } catch (err) {
    return { ok: false, malformed: `the payload could not be converted: ${(err as Error)?.message ?? String(err)}` };
  }
}

function encodedTable(table: InsertTable, items: EncodedItems): EncodedTables {
  const { data, rows, accepted, rejected, errorMessage } = items;
  return { tables: rows > 0 ? { [table]: { data, rows } } : {}, accepted, rejected, errorMessage };
}

function encodeViaRows(task: DecodeTask): EncodedResult {
  const decoded = decodeToRows(task);
  if (!decoded.ok) return decoded;
  const tables: EncodedTables['tables'] = {};
  for (const [table, rows] of Object.entries(decoded.batch.tables) as [InsertTable, unknown[][]][]) {
    tables[table] = { data: encodeRowBinary(table, rows), rows: rows.length };
  }
  const { accepted, rejected, errorMessage } = decoded.batch;
  const rows = task.keepRows ? { spans: decoded.batch.tables.spans, logs: decoded.batch.tables.logs } : undefined;
  return { ok: true, batch: { tables, accepted, rejected, errorMessage, ...(rows ? { rows } : {}) } };
}

/** OTLP payload → rows per ClickHouse table. Pure. */
export function decodeToRows(task: DecodeTask): DecodeResult {
  return permanentOnThrow((): DecodeResult => {
    const decoded = decodeRequest(task);
    if (!decoded.ok) return decoded;
    const context: RowContext = { window: new TimeWindow(BigInt(task.notBeforeNs)), refused: decoded.refused };
    return { ok: true, batch: requestToRows(task.tenantId, task.signal, decoded.request, BigInt(task.receivedAtNs), context) };
  });
}

function decodeRequest(task: DecodeTask): ({ ok: true } & DecodedRequest<Signal>) | { ok: false; malformed: string } {
  try {
    return { ok: true, ...decodeExportRequest(task.signal, task.payload, task.encoding) };
  } catch (err) {
    if (err instanceof MalformedPayloadError) return { ok: false, malformed: err.message };
    throw err;
  }
}

/** A decoded request → rows per ClickHouse table, with its items validated. Pure. */
export function requestToRows<S extends Signal>(
  tenantId: string, signal: S, request: ExportRequestBySignal[S], receivedAtNs: bigint, context: RowContext = {},
): RowBatch {
  switch (signal) {
    case 'traces':
      return traceRequestToRows(tenantId, request as ExportRequestBySignal['traces'], context);
    case 'logs':
      return logsRequestToRows(tenantId, request as ExportRequestBySignal['logs'], receivedAtNs, context);
    case 'metrics':
      return metricsRequestToRows(tenantId, request as ExportRequestBySignal['metrics'], context);
  }
  throw new Error(`unknown signal ${String(signal)}`);
}
