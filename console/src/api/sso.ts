import type { SsoAvailabilityDto, SsoSettingsDto, SsoSettingsRequest } from '@telemetryflow/contract';
import { request } from './http.js';

/** Whether a tenant signs in with SSO (asked before anyone is signed in). */
export function ssoAvailability(tenantSlug: string) {
  return request<SsoAvailabilityDto>(`/auth/oidc/${encodeURIComponent(tenantSlug)}`, { anonymous: true });
}

/** Where the browser goes to sign in with the tenant's identity provider (a full-page navigation). */
export function ssoLoginUrl(tenantSlug: string, redirect: string): string {
  return `/api/v1/auth/oidc/${encodeURIComponent(tenantSlug)}/login?${new URLSearchParams({ redirect })}`;
}

export function getSsoSettings() {
  return request<SsoSettingsDto>('/sso');
}

export function putSsoSettings(body: SsoSettingsRequest) {
  return request<SsoSettingsDto>('/sso', { method: 'PUT', body });
}

export function deleteSsoSettings() {
  return request<void>('/sso', { method: 'DELETE' });
}
