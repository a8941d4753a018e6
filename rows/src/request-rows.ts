// A client's OTLP payload → rows per ClickHouse table, with its items validated: what the
// writers, the collector's checks before publishing and the live tail share. Pure.
import {
  decodeExportRequest,
  MalformedPayloadError,
  type DecodedRequest,
  type ExportRequestBySignal,
  type ActiveSeriesGate,
  type PayloadEncoding,
  type Signal,
} from '@telemetryflow/otlp';
import { seriesAdmitter } from './active-series.js';
import { TimeWindow } from './fields.js';
import { logsRequestToRows } from './logs.js';
import { metricsRequestToRows } from './metrics.js';
import type { RowBatch, RowContext } from './row-batch.js';
import { traceRequestToRows } from './spans.js';

/** One OTLP request as a writer receives it. */
export interface OtlpPayload {
  tenantId: string;
  signal: Signal;
  encoding: PayloadEncoding;
  payload: Uint8Array;
  /** Nanoseconds since the epoch, as a decimal string (bigint does not cross threads cheaply). */
  receivedAtNs: string;
  /**
   * Items whose time is before this (nanoseconds, decimal) are past the tenant's retention
   * and refused; "0": no retention known.
   */
  notBeforeNs: string;
  /** Metrics: the tenant's active-series quota (shared with the main thread). */
  activeSeries?: ActiveSeriesGate;
}

export type DecodeResult = { ok: true; batch: RowBatch } | { ok: false; malformed: string };

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

/** OTLP payload → rows per ClickHouse table. Pure. */
export function decodeToRows(task: OtlpPayload): DecodeResult {
  return permanentOnThrow((): DecodeResult => {
    const decoded = decodeRequest(task);
    if (!decoded.ok) return decoded;
    const context: RowContext = {
      window: new TimeWindow(BigInt(task.notBeforeNs)),
      refused: decoded.refused,
      ...(task.activeSeries ? { admitSeries: seriesAdmitter(task.activeSeries) } : {}),
    };
    return {
      ok: true,
      batch: requestToRows(task.tenantId, task.signal, decoded.request, BigInt(task.receivedAtNs), context),
    };
  });
}

/** The payload decoded, or why it is malformed (permanent). */
export function decodeRequest(
  task: OtlpPayload,
): ({ ok: true } & DecodedRequest<Signal>) | { ok: false; malformed: string } {
  try {
    return { ok: true, ...decodeExportRequest(task.signal, task.payload, task.encoding) };
  } catch (err) {
    if (err instanceof MalformedPayloadError) return { ok: false, malformed: err.message };
    throw err;
  }
}

/** A decoded request → rows per ClickHouse table, with its items validated. Pure. */
export function requestToRows<S extends Signal>(
  tenantId: string,
  signal: S,
  request: ExportRequestBySignal[S],
  receivedAtNs: bigint,
  context: RowContext = {},
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
