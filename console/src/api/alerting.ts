import type {
  AlertDto,
  AlertHistoryEntryDto,
  AlertRuleDto,
  AlertRuleInput,
  ChannelDto,
  ChannelInput,
  ChannelTestDto,
  IncidentDto,
  IncidentInput,
  IncidentUpdateInput,
  PreviewDto,
  SilenceDto,
  SilenceInput,
  StatusComponentDto,
  StatusComponentInput,
  StatusPageDto,
  StatusPageInput,
} from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

const id = (s: string) => encodeURIComponent(s);

export const listRules = () => request<AlertRuleDto[]>('/alert-rules');
export const createRule = (rule: AlertRuleInput) =>
  request<AlertRuleDto>('/alert-rules', { method: 'POST', body: rule });
export const updateRule = (ruleId: string, rule: AlertRuleInput) =>
  request<AlertRuleDto>(`/alert-rules/${id(ruleId)}`, { method: 'PUT', body: rule });
export const deleteRule = (ruleId: string) => request<void>(`/alert-rules/${id(ruleId)}`, { method: 'DELETE' });
export const previewRule = (rule: unknown, range: TimeWindow) =>
  request<PreviewDto>('/alert-rules/preview', {
    method: 'POST',
    body: { rule, from: String(range.from), to: String(range.to) },
  });

export const listAlerts = () => request<AlertDto[]>('/alerts');
export const alertHistory = (range: TimeWindow) =>
  request<AlertHistoryEntryDto[]>('/alerts/history', { query: { from: range.from, to: range.to, limit: 500 } });

export const listSilences = () => request<SilenceDto[]>('/silences');
export const createSilence = (silence: SilenceInput) =>
  request<SilenceDto>('/silences', { method: 'POST', body: silence });
export const deleteSilence = (silenceId: string) => request<void>(`/silences/${id(silenceId)}`, { method: 'DELETE' });

export const listChannels = () => request<ChannelDto[]>('/notification-channels');
export const createChannel = (channel: ChannelInput) =>
  request<ChannelDto>('/notification-channels', { method: 'POST', body: channel });
export const deleteChannel = (channelId: string) =>
  request<void>(`/notification-channels/${id(channelId)}`, { method: 'DELETE' });
export const testChannel = (channelId: string) =>
  request<ChannelTestDto>(`/notification-channels/${id(channelId)}/test`, { method: 'POST' });

export const listStatusPages = () => request<StatusPageDto[]>('/status-pages');
export const createStatusPage = (page: StatusPageInput) =>
  request<StatusPageDto>('/status-pages', { method: 'POST', body: page });

const page = (pageId: string) => `/status-pages/${id(pageId)}`;
export const getStatusPage = (pageId: string) => request<StatusPageDto>(page(pageId));
export const updateStatusPage = (pageId: string, input: StatusPageInput) =>
  request<StatusPageDto>(page(pageId), { method: 'PUT', body: input });
export const deleteStatusPage = (pageId: string) => request<void>(page(pageId), { method: 'DELETE' });
export const addComponent = (pageId: string, input: StatusComponentInput) =>
  request<StatusComponentDto>(`${page(pageId)}/components`, { method: 'POST', body: input });
export const updateComponent = (pageId: string, componentId: string, input: StatusComponentInput) =>
  request<StatusComponentDto>(`${page(pageId)}/components/${id(componentId)}`, { method: 'PUT', body: input });
export const removeComponent = (pageId: string, componentId: string) =>
  request<void>(`${page(pageId)}/components/${id(componentId)}`, { method: 'DELETE' });
export const listIncidents = (pageId: string) => request<IncidentDto[]>(`${page(pageId)}/incidents`);
export const createIncident = (pageId: string, input: IncidentInput) =>
  request<IncidentDto>(`${page(pageId)}/incidents`, { method: 'POST', body: input });
export const addIncidentUpdate = (pageId: string, incidentId: string, input: IncidentUpdateInput) =>
  request<IncidentDto>(`${page(pageId)}/incidents/${id(incidentId)}/updates`, { method: 'POST', body: input });
