import type { AddMemberRequest, ApiKeyDto, CreateApiKeyRequest, CreatedApiKeyDto, MemberDto, Role, TenantDto } from '@telemetryflow/schemas';
import { request } from './http.js';

export function listTenants() {
  return request<TenantDto[]>('/tenants');
}

export function listApiKeys() {
  return request<ApiKeyDto[]>('/api-keys');
}

export function createApiKey(body: CreateApiKeyRequest) {
  return request<CreatedApiKeyDto>('/api-keys', { method: 'POST', body });
}

export function revokeApiKey(id: string) {
  return request<void>(`/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

const members = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}/members`;

export function listMembers(tenantId: string) {
  return request<MemberDto[]>(members(tenantId));
}

export function addMember(tenantId: string, body: AddMemberRequest) {
  return request<MemberDto>(members(tenantId), { method: 'POST', body });
}

export function updateMember(tenantId: string, userId: string, role: Role) {
  return request<MemberDto>(`${members(tenantId)}/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } });
}

export function removeMember(tenantId: string, userId: string) {
  return request<void>(`${members(tenantId)}/${encodeURIComponent(userId)}`, { method: 'DELETE' });
}
