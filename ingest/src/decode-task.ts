import { encodeRowBinary, type InsertTable } from '@telemetryflow/clickhouse';
import {
  decodeRequest,
  decodeToRows,
  encodeLogsRequest,
  encodeTraceRequest,
  permanentOnThrow,
  TimeWindow,
  transcodeLogsRequest,
  transcodeMetricsRequest,
  transcodeTraceRequest,
  transcodeWriteRequest,
  SeriesCatalogGate,
  type EncodedItems,
  type LiveRows,
  type OtlpPayload,
  type RowContext,
} from '@telemetryflow/rows';
import type { ExportRequestBySignal } from '@telemetryflow/otlp';

export interface DecodeTask extends OtlpPayload {
  /** Also return the span and log rows (for the live feed). */
  keepRows?: boolean;
  /**
   * Write a metric series' catalog row only when it changes what this thread wrote
   * (SeriesCatalogGate); the thread forgets what it wrote when the epoch moves (the pipeline
   * moves it when an insert fails). Without it every series row is kept.
   */
  seriesEpoch?: number;
}

/** RowBinary bytes per table, ready to insert. */
export interface EncodedTables {
  tables: Partial<Record<InsertTable, { data: Uint8Array; rows: number }>>;
  accepted: number;
  rejected: number;
  errorMessage: string;
  /** Of `rejected`: points of new series over the active-series quota. */
  rejectedOverQuota?: number;
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
 * OTLP payload → RowBinary per ClickHouse table: what the decoder threads do. Protobuf
 * requests are read off the wire, other spans and logs written straight from the decoded
 * request (no row arrays), unless the task keeps rows for the live feed.
 */
export function decodeAndEncode(task: DecodeTask): EncodedResult {
  const result = decodeAndEncodeAll(task);
  if (task.seriesEpoch === undefined || !result.ok) return result;
  const series = result.batch.tables.metric_series;
  if (!series) return result;
  CATALOG.useEpoch(task.seriesEpoch);
  const kept = CATALOG.filter(series.data, series.rows);
  if (kept.rows > 0) result.batch.tables.metric_series = kept;
  else delete result.batch.tables.metric_series;
  return result;
}

/** The series catalog rows this decoder thread has written. */
const CATALOG = new SeriesCatalogGate();

function decodeAndEncodeAll(task: DecodeTask): EncodedResult {
  return permanentOnThrow(() => {
    // A tenant with an active-series quota takes the object path, where each series is admitted.
    if (task.signal === 'metrics' && task.encoding !== 'json' && !task.keepRows && !task.activeSeries) {
      const window = new TimeWindow(BigInt(task.notBeforeNs));
      const wire =
        task.encoding === 'protobuf'
          ? transcodeMetricsRequest(task.tenantId, task.payload, window)
          : transcodeWriteRequest(task.tenantId, task.payload, window);
      if (wire) return { ok: true, batch: wire };
    }
    if (task.keepRows || task.signal === 'metrics') return encodeViaRows(task);
    // RowBinary rows are a few times larger than their protobuf.
    const initialBytes = Math.max(1024, task.payload.length * 3);
    const window = new TimeWindow(BigInt(task.notBeforeNs));
    const wire =
      task.encoding !== 'protobuf'
        ? undefined
        : task.signal === 'traces'
          ? transcodeTraceRequest(task.tenantId, task.payload, initialBytes, window)
          : transcodeLogsRequest(task.tenantId, task.payload, BigInt(task.receivedAtNs), initialBytes, window);
    if (wire) return { ok: true, batch: encodedTable(task.signal === 'traces' ? 'spans' : 'logs', wire) };
    const decoded = decodeRequest(task);
    if (!decoded.ok) return decoded;
    const context: RowContext = { window, refused: decoded.refused };
    const items =
      task.signal === 'traces'
        ? encodeTraceRequest(task.tenantId, decoded.request as ExportRequestBySignal['traces'], initialBytes, context)
        : encodeLogsRequest(
            task.tenantId,
            decoded.request as ExportRequestBySignal['logs'],
            BigInt(task.receivedAtNs),
            initialBytes,
            context,
          );
    return { ok: true, batch: encodedTable(task.signal === 'traces' ? 'spans' : 'logs', items) };
  });
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
  const { accepted, rejected, errorMessage, rejectedOverQuota } = decoded.batch;
  const rows = task.keepRows ? { spans: decoded.batch.tables.spans, logs: decoded.batch.tables.logs } : undefined;
  return {
    ok: true,
    batch: {
      tables,
      accepted,
      rejected,
      errorMessage,
      ...(rejectedOverQuota ? { rejectedOverQuota } : {}),
      ...(rows ? { rows } : {}),
    },
  };
}
