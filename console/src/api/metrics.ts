import type {
  AttributeKeyDto,
  ExemplarDto,
  MetricDto,
  MetricQueryRequest,
  MetricQueryResultDto,
} from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

export function listMetrics(range: TimeWindow) {
  return request<MetricDto[]>('/metrics', { query: { from: range.from, to: range.to } });
}

export function queryMetric(query: Omit<MetricQueryRequest, 'from' | 'to'>, range: TimeWindow) {
  return request<MetricQueryResultDto>('/metrics/query', {
    method: 'POST',
    body: { ...query, from: range.from, to: range.to },
  });
}

export function metricLabels(metric: string, range: TimeWindow) {
  return request<AttributeKeyDto[]>('/metrics/labels', {
    query: { metric, from: range.from, to: range.to, limit: 100 },
  });
}

export function metricExemplars(metric: string, range: TimeWindow) {
  return request<ExemplarDto[]>('/metrics/exemplars', {
    query: { metric, from: range.from, to: range.to, limit: 200 },
  });
}
