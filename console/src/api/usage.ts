import type { UsageDto } from '@telemetryflow/contract';
import { request } from './http.js';

export function getUsage(fromMs: number, toMs: number, step = 3600) {
  return request<UsageDto>(`/usage?from=${fromMs}&to=${toMs}&step=${step}`);
}
