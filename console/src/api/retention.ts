import type { RetentionDaysDto, RetentionDto, RetentionSignalName } from '@telemetryflow/contract';
import { request } from './http.js';

export function getRetention() {
  return request<RetentionDto>('/retention');
}

export function putRetention(change: Partial<Record<RetentionSignalName, Partial<RetentionDaysDto>>>) {
  return request<RetentionDto>('/retention', { method: 'PUT', body: change });
}
