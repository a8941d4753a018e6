import type { TenantQuotas, TenantQuotasDto } from '@telemetryflow/contract';
import { request } from './http.js';

export function getTenantQuotas(tenantId: string) {
  return request<TenantQuotasDto>(`/tenants/${encodeURIComponent(tenantId)}/quotas`);
}

export function putTenantQuotas(tenantId: string, quotas: TenantQuotas) {
  return request<TenantQuotasDto>(`/tenants/${encodeURIComponent(tenantId)}/quotas`, { method: 'PUT', body: quotas });
}
