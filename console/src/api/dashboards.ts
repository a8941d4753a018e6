import type {
  DashboardDefinition,
  DashboardDto,
  DashboardRenderDto,
  DashboardSummaryDto,
  DashboardVersionDto,
  QueryRequest,
  QueryResult,
} from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

const one = (id: string) => `/dashboards/${encodeURIComponent(id)}`;

export const listDashboards = () => request<DashboardSummaryDto[]>('/dashboards');
export const getDashboard = (id: string) => request<DashboardDto>(one(id));
export const createDashboard = (definition: DashboardDefinition) =>
  request<DashboardDto>('/dashboards', { method: 'POST', body: definition });
export const saveDashboard = (id: string, definition: DashboardDefinition) =>
  request<DashboardDto>(one(id), { method: 'PUT', body: definition });
export const deleteDashboard = (id: string) => request<void>(one(id), { method: 'DELETE' });
export const exportDashboard = (id: string) => request<DashboardDefinition>(`${one(id)}/export`);
export const importDashboard = (definition: unknown) =>
  request<DashboardDto>('/dashboards/import', { method: 'POST', body: definition });
export const listVersions = (id: string) => request<DashboardVersionDto[]>(`${one(id)}/versions`);
export const restoreVersion = (id: string, version: number) =>
  request<DashboardDto>(`${one(id)}/versions/${version}/restore`, { method: 'POST' });

export function variableValues(id: string, name: string, range: TimeWindow) {
  return request<string[]>(`${one(id)}/variables/${encodeURIComponent(name)}/values`, {
    query: { from: range.from, to: range.to },
    pageRead: true,
  });
}

/** Runs the dashboard's panels (or those of `panels`, by index) over `range`. */
export function renderDashboard(
  id: string,
  range: TimeWindow,
  variables: Record<string, string | string[]>,
  panels?: number[],
) {
  return request<DashboardRenderDto>(`${one(id)}/render`, {
    method: 'POST',
    query: { from: range.from, to: range.to },
    body: panels ? { variables, panels } : { variables },
    pageRead: true,
  });
}

/** `POST /api/v1/query`: one query of the shared DTO, for the panel editor's preview. */
export function runQuery(body: QueryRequest) {
  return request<QueryResult>('/query', { method: 'POST', body });
}
