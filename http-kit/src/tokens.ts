/** DI tokens of the HTTP kit: who resolves callers, and the OpenAPI document served. */
export const CALLER_RESOLVER = Symbol('CallerResolver');
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');
export const AUDIT_SINK = Symbol('AuditSink');
