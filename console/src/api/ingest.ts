import type { IngestEndpointsDto, TracePresenceDto } from '@telemetryflow/contract';
import { request } from './http.js';

/** This instance's OTLP ports, for set-up instructions. */
export function ingestEndpoints() {
  return request<IngestEndpointsDto>('/ingest-endpoints');
}

/** Whether the tenant has stored any trace at all (whatever the range). */
export function tracePresence() {
  return request<TracePresenceDto>('/traces/presence');
}
