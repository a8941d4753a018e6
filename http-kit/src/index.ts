// The HTTP kit every API feature builds on: access rules (deny by default) and the caller,
// the error envelope, zod validation and OpenAPI, rate limits, request deadlines and
// connection limits. It knows callers only through `CallerResolver`, never how they are stored.
export {
  AccessGuard,
  Authenticated,
  bearerToken,
  CurrentCaller,
  PERMISSIONS,
  Public,
  requestedTenant,
  Requires,
  routeAccess,
  TenantId,
  type Caller,
  type CallerRequest,
  type CallerResolver,
  type Permission,
  type RouteAccess,
} from './access.js';
export { ApiError, invalidParameter, notFound, resultTooLarge } from './api-error.js';
export { ApiExceptionFilter, ERROR_CODE, type ErrorTagged } from './exception.filter.js';
export { isStoreUnavailable, RETRY_AFTER_SECONDS } from './store-errors.js';
export { ApiRoute, ROUTE_SPEC_KEY, routeSpec, validate, ValidBody, ValidQuery, type RouteSpec } from './validation.js';
export { buildOpenApiDocument } from './openapi.js';
export { ApiDocsController } from './api-docs.controller.js';
export { recordRoutes, routeTable, type RouteEntry, type RouteInfo } from './route-table.js';
export {
  DEFAULT_RATE_LIMITS,
  RATE_LIMITS,
  RateLimit,
  rateLimited,
  RateLimitGuard,
  routeRateLimit,
  type RateLimitPolicy,
  type RateLimits,
} from './rate-limit.js';
export { RateLimiter, type RateLimitRule } from './rate-limiter.js';
export { answerWithin } from './request-deadline.js';
export {
  applyClientTimeouts,
  capConnectionsPerAddress,
  DEFAULT_HTTP_SERVER_LIMITS,
  type HttpServerLimits,
} from './connection-limits.js';
export { AUDIT_SINK, CALLER_RESOLVER, OPENAPI_DOCUMENT } from './tokens.js';
export { assertRangeWithin, parseTimeNs } from './time-params.js';
export {
  Audit,
  auditBefore,
  auditEventOf,
  AuditInterceptor,
  auditTarget,
  needsAuditFromFilter,
  NotAudited,
  outcomeOf,
  redactSecrets,
  statusOfError,
  type AuditedRequest,
  type AuditEventInput,
  type AuditOutcome,
  type AuditSink,
} from './audit.js';
