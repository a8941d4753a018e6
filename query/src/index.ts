export {
  openControlPlane, BOOTSTRAP_TENANT_ID, DEFAULT_ADMIN_EMAIL, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  type ControlPlane, type ControlPlaneConfig,
} from './control-plane/control-plane.js';
export {
  addMembership, createApiKey, createTenant, createUser, revokeApiKey, verifyUserPassword, type CreatedApiKey,
} from './control-plane/accounts.js';
export { generateApiKey, hashApiKey, apiKeyPrefix } from './control-plane/api-key-secrets.js';
export { API_KEY_SCOPES, ROLES, type ApiKeyScope, type Role } from './control-plane/entities.js';
export { startQueryServer, type QueryServer, type QueryServerConfig, type RequestLogEntry } from './http/query-server.js';
export { RateLimit, DEFAULT_RATE_LIMITS, type RateLimits, type RateLimitPolicy } from './http/rate-limit.js';
export type { RouteEntry } from './http/route-table.js';
export { createQueryMetrics, type QueryMetrics } from './http/query-metrics.js';
export { LiveHub, type LiveRowTables } from './live/live-hub.js';
export type { DeliveryLimits } from './live/bounded-delivery.js';
export { Public, Requires, TenantId, CurrentCaller, type Caller, type Permission } from './http/access.js';
export { ApiRoute, ValidBody, ValidQuery, validate, type RouteSpec } from './http/validation.js';
export { ApiError, invalidParameter, notFound } from './http/api-error.js';
export { parseTimeNs } from './request-params.js';
export { QueryRunner, type QueryRunnerDeps, type QueryWindow, type QueryAnswer } from './query-runner/query-runner.js';
export { queryLimits, assertRangeWithin, DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits.js';
export { ClickHouseReader } from './clickhouse-reader.js';
export { createBuiltInDashboards, refreshBuiltInDashboards, BUILT_IN_DASHBOARDS } from './dashboards/built-in-dashboards.js';
