import type { LogDto, LogVolumePointDto } from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

export interface LogSearch {
  q?: string;
  service?: string;
  /** At or above: TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
  minSeverity?: string;
  traceId?: string;
  limit?: number;
  /** `meta.nextCursor` of the previous page. */
  cursor?: string;
  /** `attr.<key>` / `resource.<key>` → value. */
  attributes?: Record<string, string>;
}

export function searchLogs({ attributes, ...search }: LogSearch, range: TimeWindow) {
  return request<LogDto[]>('/logs', {
    query: { ...search, ...attributes, from: range.from, to: range.to },
    pageRead: true,
  });
}

/** Records per step by severity over exactly the search (its cursor and limit aside). */
export function logVolume({ attributes, cursor: _cursor, limit: _limit, ...search }: LogSearch, range: TimeWindow) {
  return request<LogVolumePointDto[]>('/logs/volume', {
    query: { ...search, ...attributes, from: range.from, to: range.to },
    pageRead: true,
  });
}
