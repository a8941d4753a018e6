import {
  permanentOnThrow,
  requestToRows,
  seriesAdmitter,
  TimeWindow,
  transcodeLogsRequest,
  transcodeMetricsRequest,
  transcodeTraceRequest,
} from '@telemetryflow/rows';
import {
  decodeExportRequest,
  MalformedPayloadError,
  type ActiveSeriesGate,
  type DecodedRequest,
  type ExportRequestBySignal,
  type PayloadEncoding,
  type Signal,
} from '@telemetryflow/otlp';
import { splitExportRequest } from './split-request.js';

export interface PrepareTask {
  tenantId: string;
  signal: Signal;
  encoding: PayloadEncoding;
  payload: Uint8Array;
  receivedAtNs: string;
  /** The retention cutoff (nanoseconds, decimal; "0": none), sent along for the writers. */
  notBeforeNs: string;
  /** Largest message the bus takes. */
  maxMessageBytes: number;
  /** Metrics: the tenant's active-series quota (shared with the main thread). */
  activeSeries?: ActiveSeriesGate;
}

export type PrepareResult =
  | {
      ok: true;
      parts: Uint8Array[];
      accepted: number;
      rejected: number;
      errorMessage: string;
      /** Of `rejected`: points of new series over the active-series quota. */
      rejectedOverQuota?: number;
    }
  | { ok: false; malformed: string };

/**
 * What a collector does before publishing: decode, validate item by item (the writer
 * applies the same rules, so the client's partial success is exact), and produce the
 * protobuf message bodies: the payload itself when it is protobuf and fits, else the
 * request re-encoded once and split to fit. Pure; runs in worker threads.
 */
export function prepareForBus(task: PrepareTask): PrepareResult {
  return permanentOnThrow(() => prepare(task));
}

function prepare(task: PrepareTask): PrepareResult {
  const fits = task.encoding === 'protobuf' && task.payload.byteLength <= task.maxMessageBytes;
  const window = new TimeWindow(BigInt(task.notBeforeNs));
  // A protobuf request that fits is checked by the writers' own wire
  // reader, which builds no objects; its rows are dropped here. Metrics of a tenant with an
  // active-series quota take the object path, where each series is admitted.
  const checkedOffWire =
    !fits || (task.signal === 'metrics' && task.activeSeries)
      ? undefined
      : task.signal === 'traces'
        ? transcodeTraceRequest(task.tenantId, task.payload, task.payload.byteLength * 3, window)
        : task.signal === 'metrics'
          ? transcodeMetricsRequest(task.tenantId, task.payload, window)
          : transcodeLogsRequest(
              task.tenantId,
              task.payload,
              BigInt(task.receivedAtNs),
              task.payload.byteLength * 3,
              window,
            );
  if (checkedOffWire) {
    const { accepted, rejected, errorMessage } = checkedOffWire;
    return { ok: true, parts: accepted === 0 ? [] : [task.payload], accepted, rejected, errorMessage };
  }
  let decoded: DecodedRequest<Signal>;
  try {
    decoded = decodeExportRequest(task.signal, task.payload, task.encoding);
  } catch (err) {
    if (err instanceof MalformedPayloadError) return { ok: false, malformed: err.message };
    throw err;
  }
  const { request, refused } = decoded;
  const refusedPoints = new Set<object>();
  const checked = requestToRows(task.tenantId, task.signal, request, BigInt(task.receivedAtNs), {
    window,
    refused,
    ...(task.activeSeries ? { admitSeries: seriesAdmitter(task.activeSeries), refusedPoints } : {}),
  });
  const overQuota = checked.rejectedOverQuota ? { rejectedOverQuota: checked.rejectedOverQuota } : {};
  if (checked.accepted === 0)
    return {
      ok: true,
      parts: [],
      accepted: 0,
      rejected: checked.rejected,
      errorMessage: checked.errorMessage,
      ...overQuota,
    };
  // Points of series over the quota must not reach the writers: the request is re-encoded without them.
  if (refusedPoints.size > 0) dropPoints(request as ExportRequestBySignal['metrics'], refusedPoints);
  if (fits && refusedPoints.size === 0) {
    return {
      ok: true,
      parts: [task.payload],
      accepted: checked.accepted,
      rejected: checked.rejected,
      errorMessage: checked.errorMessage,
      ...overQuota,
    };
  }
  // JSON items the decoder refused are not in `request`: they never reach the bus.
  const { parts, oversized } = splitExportRequest(task.signal, request, task.maxMessageBytes);
  if (oversized === 0)
    return {
      ok: true,
      parts,
      accepted: checked.accepted,
      rejected: checked.rejected,
      errorMessage: checked.errorMessage,
      ...overQuota,
    };
  const reason = `${oversized} item(s) larger than the ${task.maxMessageBytes}-byte message limit`;
  return {
    ok: true,
    parts,
    accepted: Math.max(0, checked.accepted - oversized),
    rejected: checked.rejected + oversized,
    errorMessage: checked.errorMessage ? `${checked.errorMessage}; ${reason}` : `rejected ${reason}`,
    ...overQuota,
  };
}

/** Removes the given data point objects from a metrics request (in place). */
function dropPoints(request: ExportRequestBySignal['metrics'], points: Set<object>): void {
  for (const rm of request.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const metric of sm.metrics ?? [])
        for (const data of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const) {
          const body = metric[data] as { dataPoints?: object[] | null } | null | undefined;
          if (body?.dataPoints) body.dataPoints = body.dataPoints.filter((p) => !points.has(p));
        }
}
