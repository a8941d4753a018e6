import type { AttributeKeyDto, LogDto, TraceDto, TraceHeatmapCellDto, TraceSummaryDto } from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

export interface TraceSearch {
  service?: string;
  operation?: string;
  status?: 'ok' | 'error';
  minDurationMs?: number;
  maxDurationMs?: number;
  sort?: 'newest' | 'slowest';
  limit?: number;
  /** `meta.nextCursor` of the previous page. */
  cursor?: string;
  /** `attr.<key>` / `resource.<key>` → value, on one span of the trace. */
  attributes?: Record<string, string>;
}

export function searchTraces({ attributes, ...search }: TraceSearch, range: TimeWindow) {
  return request<TraceSummaryDto[]>('/traces', {
    query: { ...search, ...attributes, from: range.from, to: range.to },
    pageRead: true,
  });
}

/** One trace with its log records (`include=logs`). */
export function getTrace(traceId: string) {
  return request<TraceDto & { logs?: LogDto[] }>(`/traces/${encodeURIComponent(traceId)}`, {
    query: { include: 'logs' },
    pageRead: true,
  });
}

export function attributeKeys(range: TimeWindow) {
  return request<AttributeKeyDto[]>('/traces/attributes', { query: { from: range.from, to: range.to, limit: 200 } });
}

export function attributeValues(key: string, prefix: string, range: TimeWindow) {
  return request<string[]>(`/traces/attributes/${encodeURIComponent(key)}/values`, {
    query: { from: range.from, to: range.to, prefix, limit: 50 },
  });
}

/** Suggestions for trace attribute filters: keys seen in the range, then a key's most frequent values. */
export const traceAttributeSuggestions = {
  keys: async (range: TimeWindow) => (await attributeKeys(range)).data.map((k) => k.key),
  values: async (key: string, prefix: string, range: TimeWindow) => (await attributeValues(key, prefix, range)).data,
};

/** Every trace of a search per start step and duration band (its sort, limit and cursor aside). */
export function traceHeatmap(
  { attributes, sort: _sort, limit: _limit, cursor: _cursor, ...search }: TraceSearch,
  range: TimeWindow,
  stepSeconds: number,
) {
  return request<TraceHeatmapCellDto[]>('/traces/heatmap', {
    query: { ...search, ...attributes, from: range.from, to: range.to, stepSeconds },
    pageRead: true,
  });
}

/** One trace without its logs: to check that an id names a trace before opening it (404: none). */
export function findTrace(traceId: string) {
  return request<TraceDto>(`/traces/${encodeURIComponent(traceId)}`);
}
