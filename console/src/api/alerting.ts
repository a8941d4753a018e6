import type { AlertDto, AlertHistoryEntryDto, AlertRuleDto, AlertRuleInput, ChannelDto, ChannelInput, ChannelTestDto, PreviewDto, SilenceDto, SilenceInput, StatusPageDto, StatusPageInput } from '@telemetryflow/schemas';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

const id = (s: string) => encodeURIComponent(s);

export const listRules = () => request<AlertRuleDto[]>('/alert-rules');
export const createRule = (rule: AlertRuleInput) => request<AlertRuleDto>('/alert-rules', { method: 'POST', body: rule });
export const updateRule = (ruleId: string, rule: AlertRuleInput) => request<AlertRuleDto>(`/alert-rules/${id(ruleId)}`, { method: 'PUT', body: rule });
export const deleteRule = (ruleId: string) => request<void>(`/alert-rules/${id(ruleId)}`, { method: 'DELETE' });
export const previewRule = (rule: unknown, range: TimeWindow) => request<PreviewDto>('/alert-rules/preview', { method: 'POST', body: { rule, from: String(range.from), to: String(range.to) } });

export const listAlerts = () => request<AlertDto[]>('/alerts');
export const alertHistory = (range: TimeWindow) => request<AlertHistoryEntryDto[]>('/alerts/history', { query: { from: range.from, to: range.to, limit: 500 } });

export const listSilences = () => request<SilenceDto[]>('/silences');
export const createSilence = (silence: SilenceInput) => request<SilenceDto>('/silences', { method: 'POST', body: silence });
export const deleteSilence = (silenceId: string) => request<void>(`/silences/${id(silenceId)}`, { method: 'DELETE' });

export const listChannels = () => request<ChannelDto[]>('/notification-channels');
export const createChannel = (channel: ChannelInput) => request<ChannelDto>('/notification-channels', { method: 'POST', body: channel });
export const deleteChannel = (channelId: string) => request<void>(`/notification-channels/${id(channelId)}`, { method: 'DELETE' });
export const testChannel = (channelId: string) => request<ChannelTestDto>(`/notification-channels/${id(channelId)}/test`, { method: 'POST' });

export const listStatusPages = () => request<StatusPageDto[]>('/status-pages');
export const createStatusPage = (page: StatusPageInput) => request<StatusPageDto>('/status-pages', { method: 'POST', body: page });
