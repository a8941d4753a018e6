import type {
  ApiKeyDto,
  CreateApiKeyRequest,
  CreatedApiKeyDto,
  CreateInvitationRequest,
  InvitationDto,
  MemberDto,
  MembershipSummaryDto,
  ReceivedInvitationDto,
  Role,
  TenantDto,
} from '@telemetryflow/contract';
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

export function updateMember(tenantId: string, userId: string, role: Role) {
  return request<MemberDto>(`${members(tenantId)}/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } });
}

export function removeMember(tenantId: string, userId: string) {
  return request<void>(`${members(tenantId)}/${encodeURIComponent(userId)}`, { method: 'DELETE' });
}

const invitations = (tenantId: string) => `/tenants/${encodeURIComponent(tenantId)}/invitations`;

export function listInvitations(tenantId: string) {
  return request<InvitationDto[]>(invitations(tenantId));
}

export function createInvitation(tenantId: string, body: CreateInvitationRequest) {
  return request<InvitationDto>(invitations(tenantId), { method: 'POST', body });
}

export function revokeInvitation(tenantId: string, id: string) {
  return request<void>(`${invitations(tenantId)}/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Invitations to the signed-in user. */
export function receivedInvitations() {
  return request<ReceivedInvitationDto[]>('/invitations');
}

export function acceptInvitation(id: string) {
  return request<MembershipSummaryDto>(`/invitations/${encodeURIComponent(id)}/accept`, { method: 'POST' });
}

export function declineInvitation(id: string) {
  return request<void>(`/invitations/${encodeURIComponent(id)}/decline`, { method: 'POST' });
}
