import type { TraceDto, TraceSummaryDto } from '@telemetryflow/schemas';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

export interface TraceSearch {
  service?: string;
  operation?: string;
  status?: 'ok' | 'error';
  minDurationMs?: number;
  maxDurationMs?: number;
  limit?: number;
}

export function searchTraces(search: TraceSearch, range: TimeWindow) {
  return request<TraceSummaryDto[]>('/traces', { query: { ...search, from: range.from, to: range.to } });
}

export function getTrace(traceId: string) {
  return request<TraceDto>(`/traces/${encodeURIComponent(traceId)}`);
}
