import type { CheckResultsPage, MonitorDto, MonitorInput, UptimeDto } from '@telemetryflow/contract/monitors';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

const monitor = (monitorId: string) => `/monitors/${encodeURIComponent(monitorId)}`;

export const listMonitors = () => request<MonitorDto[]>('/monitors');
export const getMonitor = (monitorId: string) => request<MonitorDto>(monitor(monitorId));
export const createMonitor = (input: MonitorInput) => request<MonitorDto>('/monitors', { method: 'POST', body: input });
export const updateMonitor = (monitorId: string, input: MonitorInput) =>
  request<MonitorDto>(monitor(monitorId), { method: 'PUT', body: input });
export const deleteMonitor = (monitorId: string) => request<void>(monitor(monitorId), { method: 'DELETE' });
export const pauseMonitor = (monitorId: string) =>
  request<MonitorDto>(`${monitor(monitorId)}/pause`, { method: 'POST' });
export const resumeMonitor = (monitorId: string) =>
  request<MonitorDto>(`${monitor(monitorId)}/resume`, { method: 'POST' });

/** Check results in the window, newest first; `cursor` continues after the page before. */
export const monitorResults = (monitorId: string, range: TimeWindow, cursor?: string, limit = 50) =>
  request<CheckResultsPage>(`${monitor(monitorId)}/results`, {
    query: { from: range.from, to: range.to, cursor, limit },
  });

/** Uptime in buckets of `stepSeconds` over the window. */
export const monitorUptime = (monitorId: string, range: TimeWindow, stepSeconds: number) =>
  request<UptimeDto>(`${monitor(monitorId)}/uptime`, {
    query: { from: range.from, to: range.to, step: `${stepSeconds}s` },
  });
