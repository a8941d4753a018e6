// Identity: tenants, users, memberships, invitations, API keys, sessions and the control-plane
// database they live in. Features that share the database plug in as `ControlPlaneFeature`s.
export {
  openControlPlane,
  BOOTSTRAP_TENANT_ID,
  DEFAULT_ADMIN_EMAIL,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_REFRESH_REUSE_GRACE_SECONDS,
  type ControlPlane,
  type ControlPlaneConfig,
} from './control-plane/control-plane.js';
export type { ControlPlaneFeature, TenantCreatedHook } from './control-plane/tenant-hooks.js';
export {
  addMembership,
  createApiKey,
  createTenant,
  createUser,
  revokeApiKey,
  verifyUserPassword,
  type CreatedApiKey,
} from './control-plane/accounts.js';
export { generateApiKey, hashApiKey, apiKeyPrefix } from './control-plane/api-key-secrets.js';
export {
  API_KEY_SCOPES,
  ROLES,
  RetentionPolicyEntity,
  TenantEntity,
  type ApiKeyScope,
  type Role,
} from './control-plane/entities.js';
export {
  applyRetentionUpdate,
  defaultRetention,
  DEFAULT_RETENTION_DAYS,
  MAX_RETENTION_DAYS,
  RETENTION_SIGNALS,
} from './control-plane/retention-policy.js';
export { DEFAULT_REVOCATION_POLL_MS, MAX_REVOCATION_POLL_MS, REVOCATION_CHANNEL } from './auth/revocation-list.js';
export type { ClientInfo, SessionEndReason, Sessions } from './auth/sessions.js';
export { DEFAULT_LOGIN_SLOWDOWN, LoginThrottle, type LoginSlowdown } from './auth/login-throttle.js';
export { IDENTITY_CONTROLLERS, IDENTITY_PROVIDERS } from './management/identity-routes.js';
export { CONTROL_PLANE, LOGIN_THROTTLE } from './tokens.js';
export {
  DEFAULT_LOGIN_LOCKOUT,
  lockoutWaitMs,
  type LockoutRule,
  type LoginLockoutConfig,
} from './auth/login-lockout.js';
export { parseSecretKey } from './control-plane/secret-box.js';
export { DEFAULT_PUBLIC_URL } from './control-plane/control-plane.js';
export { SSO_OPTIONS } from './tokens.js';
export type { SsoOptions } from './sso/sso.service.js';
export { TenantQuotaStore } from './control-plane/tenant-quotas.js';
export { AccountService, RECENT_SIGN_IN_MS, type AccountData } from './management/account.service.js';
