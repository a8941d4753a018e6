/** DI tokens for the values `startQueryServer` is given. */
export const CLICKHOUSE = Symbol('ClickHouseClient');
export const CLICKHOUSE_MIGRATED = Symbol('ClickHouseMigrated');
export const QUERY_LIMITS = Symbol('QueryLimits');
export const RESULT_CACHE = Symbol('ResultCache');
export const QUERY_METRICS = Symbol('QueryMetrics');
/** The tenants' query quotas (range, concurrency) the reader enforces (a QueryQuotaGuard). */
export const QUERY_QUOTAS = Symbol('QueryQuotas');
/** Where the reader counts each tenant's queries (a UsageSink). */
export const QUERY_USAGE = Symbol('QueryUsage');
/** `() => IngestEndpointsDto`: the OTLP ports of this instance, read when asked (receivers may bind after the API). */
export const INGEST_ENDPOINTS = Symbol('IngestEndpoints');
