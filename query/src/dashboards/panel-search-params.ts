// Logs and traces panels → the query-string parameters of the log and trace search, so
// panels are answered (and validated) exactly as `GET /api/v1/logs` / `/traces` are. Pure.
import type { LogsPanelQuery, TracesPanelQuery } from '@telemetryflow/contract';
import type { RawParams } from '../request-params.js';

function defined(params: Record<string, string | number | undefined>): RawParams {
  // An empty text (a variable without a value) means "no filter".
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  );
}

export function logSearchParams(q: LogsPanelQuery, fromMs: number, toMs: number): RawParams {
  return defined({
    from: fromMs,
    to: toMs,
    q: q.q,
    service: q.service,
    minSeverity: q.minSeverity,
    traceId: q.traceId,
    limit: q.limit,
    ...q.attributes,
  });
}

export function traceSearchParams(q: TracesPanelQuery, fromMs: number, toMs: number): RawParams {
  return defined({
    from: fromMs,
    to: toMs,
    service: q.service,
    operation: q.operation,
    status: q.status,
    minDurationMs: q.minDurationMs,
    maxDurationMs: q.maxDurationMs,
    sort: q.sort,
    limit: q.limit,
    ...q.attributes,
  });
}
