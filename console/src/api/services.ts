import type { OperationDto, RedPointDto, ServiceDto, ServiceMapDto, ServiceRedDto } from '@telemetryflow/contract';
import { request } from './http.js';
import type { TimeWindow } from '../time/time-range.js';

export function listServices(range: TimeWindow) {
  return request<ServiceDto[]>('/services', { query: { from: range.from, to: range.to }, pageRead: true });
}

export function serviceRed(service: string, range: TimeWindow, stepSeconds?: number) {
  return request<RedPointDto[]>(`/services/${encodeURIComponent(service)}/red`, {
    query: { from: range.from, to: range.to, stepSeconds },
    pageRead: true,
  });
}

/** RED series of several services from one query (the services table's sparklines). */
export function servicesRed(services: readonly string[], range: TimeWindow) {
  return request<ServiceRedDto[]>('/services/red', {
    query: { service: services, from: range.from, to: range.to },
    pageRead: true,
  });
}

export function serviceOperations(service: string, range: TimeWindow) {
  return request<OperationDto[]>(`/services/${encodeURIComponent(service)}/operations`, {
    query: { from: range.from, to: range.to },
    pageRead: true,
  });
}

export function serviceMap(range: TimeWindow) {
  return request<ServiceMapDto>('/service-map', { query: { from: range.from, to: range.to }, pageRead: true });
}
