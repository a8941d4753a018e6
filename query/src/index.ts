// The read model (traces, logs, metrics, service map, planner, query runner), dashboards and
// the live tail. The app root that wires them into one HTTP server is `@telemetryflow/query/app`.
export { createQueryMetrics, type QueryMetrics } from './http/query-metrics.js';
export { LiveHub, type LiveRowTables } from './live/live-hub.js';
export type { DeliveryLimits } from './live/bounded-delivery.js';
export { QueryRunner, type QueryRunnerDeps, type QueryWindow, type QueryAnswer } from './query-runner/query-runner.js';
export { createQueryReads, type QueryReads } from './query-runner/query-reads.js';
export { queryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits.js';
export { ClickHouseReader } from './clickhouse-reader.js';
export {
  createBuiltInDashboards,
  refreshBuiltInDashboards,
  BUILT_IN_DASHBOARDS,
} from './dashboards/built-in-dashboards.js';
export { DASHBOARDS_FEATURE } from './dashboards/dashboards-feature.js';
export { SAVED_SEARCHES_FEATURE } from './saved-searches/saved-searches-feature.js';
export { PROMQL_QUERIES, type PromqlQueries } from './prometheus/promql-queries.js';
export { PrometheusService } from './prometheus/prometheus.service.js';
export { ClickHouseSeriesSource } from './prometheus/clickhouse-series-source.js';
export { SeriesCatalog } from './prometheus/series-catalog.js';
export { ExportsModule, DATA_JOBS_FEATURE, type ExportsConfig } from './exports/exports-module.js';
export { ExportWorker, DEFAULT_EXPORT_OPTIONS, type ExportOptions } from './exports/export-worker.js';
export { ExportJobs } from './exports/export-jobs.js';
export { DashboardsRepository } from './dashboards/dashboards.repository.js';
