import { decodeExportRequest, MalformedPayloadError, type OtlpEncoding, type Signal } from '@telemetryflow/schemas';
import { logsRequestToRows } from './rows/logs.js';
import { metricsRequestToRows } from './rows/metrics.js';
import type { RowBatch } from './rows/row-batch.js';
import { traceRequestToRows } from './rows/spans.js';

export interface DecodeTask {
  tenantId: string;
  signal: Signal;
  encoding: OtlpEncoding;
  payload: Uint8Array;
  /** Nanoseconds since the epoch, as a decimal string (bigint does not cross threads cheaply). */
  receivedAtNs: string;
}

export type DecodeResult = { ok: true; batch: RowBatch } | { ok: false; malformed: string };

/** OTLP payload → rows per ClickHouse table. Pure; runs in a worker thread. */
export function decodeToRows(task: DecodeTask): DecodeResult {
  try {
    switch (task.signal) {
      case 'traces':
        return { ok: true, batch: traceRequestToRows(task.tenantId, decodeExportRequest('traces', task.payload, task.encoding)) };
      case 'logs':
        return { ok: true, batch: logsRequestToRows(task.tenantId, decodeExportRequest('logs', task.payload, task.encoding), task.receivedAtNs) };
      case 'metrics':
        return { ok: true, batch: metricsRequestToRows(task.tenantId, decodeExportRequest('metrics', task.payload, task.encoding)) };
    }
  } catch (err) {
    if (err instanceof MalformedPayloadError) return { ok: false, malformed: err.message };
    throw err;
  }
}
