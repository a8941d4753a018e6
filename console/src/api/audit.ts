import type { AuditEventDto } from '@telemetryflow/contract';
import { queryString, request, sessionCredentials, type QueryValue } from './http.js';

export interface AuditFilters {
  actor?: string;
  action?: string;
  resourceType?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

export function listAuditEvents(filters: AuditFilters, cursor?: string) {
  return request<{ events: AuditEventDto[]; nextCursor: string | null }>('/audit-events', {
    query: { ...(filters as Record<string, QueryValue>), cursor, limit: 50 },
  });
}

/** Downloads every event matching the filters as a file (the route streams it). */
export async function downloadAuditEvents(filters: AuditFilters, format: 'ndjson' | 'csv'): Promise<void> {
  const { token, tenant } = await sessionCredentials();
  const res = await fetch(`/api/v1/audit-events/export${queryString({ ...filters, format })}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(tenant ? { 'x-tenant': tenant } : {}) },
  });
  if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `audit-events.${format}`;
  link.click();
  URL.revokeObjectURL(url);
}
