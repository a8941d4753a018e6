/** DI tokens for the values `startQueryServer` is given. */
export const CLICKHOUSE = Symbol('ClickHouseClient');
export const CONTROL_PLANE = Symbol('ControlPlane');
export const CLICKHOUSE_MIGRATED = Symbol('ClickHouseMigrated');
export const QUERY_LIMITS = Symbol('QueryLimits');
export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');
export const RESULT_CACHE = Symbol('ResultCache');
export const QUERY_METRICS = Symbol('QueryMetrics');
export const LOGIN_THROTTLE = Symbol('LoginThrottle');
