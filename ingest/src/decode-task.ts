import { encodeRowBinary, type InsertTable } from '@telemetryflow/clickhouse';
import { decodeExportRequest, MalformedPayloadError, type ExportRequestBySignal, type OtlpEncoding, type Signal } from '@telemetryflow/schemas';
import type { LiveRows } from './live-feed.js';
import { logsRequestToRows } from './rows/logs.js';
import { metricsRequestToRows } from './rows/metrics.js';
import { encodeLogsRequest } from './rows/log-writer.js';
import type { RowBatch } from './rows/row-batch.js';
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

/**
 * OTLP payload → RowBinary per ClickHouse table: what the decoder threads do. Spans and
 * logs are written straight from the decoded request (no row arrays) unless the task
 * keeps rows for the live feed.
 */
export function decodeAndEncode(task: DecodeTask): EncodedResult {
  if (task.keepRows || task.signal === 'metrics') return encodeViaRows(task);
  // RowBinary rows are a few times larger than their protobuf.
  const initialBytes = Math.max(1024, task.payload.length * 3);
  const wire = task.signal === 'traces' && task.encoding === 'protobuf' ? transcodeTraceRequest(task.tenantId, task.payload, initialBytes) : undefined;
  if (wire) return { ok: true, batch: encodedTable('spans', wire) };
  const decoded = decodeRequest(task);
  if (!decoded.ok) return decoded;
  const items =
    task.signal === 'traces'
      ? encodeTraceRequest(task.tenantId, decoded.request as ExportRequestBySignal['traces'], initialBytes)
      : encodeLogsRequest(task.tenantId, decoded.request as ExportRequestBySignal['logs'], BigInt(task.receivedAtNs), initialBytes);
  return { ok: true, batch: encodedTable(task.signal === 'traces' ? 'spans' : 'logs', items) };
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
  const decoded = decodeRequest(task);
  if (!decoded.ok) return decoded;
  return { ok: true, batch: requestToRows(task.tenantId, task.signal, decoded.request, BigInt(task.receivedAtNs)) };
}

function decodeRequest(task: DecodeTask): { ok: true; request: ExportRequestBySignal[Signal] } | { ok: false; malformed: string } {
  try {
    return { ok: true, request: decodeExportRequest(task.signal, task.payload, task.encoding) };
  } catch (err) {
    if (err instanceof MalformedPayloadError) return { ok: false, malformed: err.message };
    throw err;
  }
}

/** A decoded request → rows per ClickHouse table, with its items validated. Pure. */
export function requestToRows<S extends Signal>(tenantId: string, signal: S, request: ExportRequestBySignal[S], receivedAtNs: bigint): RowBatch {
  switch (signal) {
    case 'traces':
      return traceRequestToRows(tenantId, request as ExportRequestBySignal['traces']);
    case 'logs':
      return logsRequestToRows(tenantId, request as ExportRequestBySignal['logs'], receivedAtNs);
    case 'metrics':
      return metricsRequestToRows(tenantId, request as ExportRequestBySignal['metrics']);
  }
  throw new Error(`unknown signal ${String(signal)}`);
}
