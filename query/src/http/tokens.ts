/** DI tokens for the values `startQueryServer` is given. */
export const CLICKHOUSE = Symbol('ClickHouseClient');
export const CLICKHOUSE_MIGRATED = Symbol('ClickHouseMigrated');
export const QUERY_LIMITS = Symbol('QueryLimits');
export const RESULT_CACHE = Symbol('ResultCache');
export const QUERY_METRICS = Symbol('QueryMetrics');
