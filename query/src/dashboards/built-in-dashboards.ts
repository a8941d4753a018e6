import { DashboardDefinitionSchema, type DashboardDefinition } from '@telemetryflow/contract';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { DashboardEntity } from './dashboard.entities.js';
import { insertDashboard } from './dashboards.repository.js';

type Input = z.input<typeof DashboardDefinitionSchema>;

const serviceFilter = (label: string) => [{ label, op: '=' as const, value: '$service' }];
/** RED of a service (or all): over its entry spans — server and consumer spans, or root spans where it has none. */
const red = (measure: 'count' | 'rate' | 'errors' | 'error_rate' | 'p50' | 'p95' | 'p99', groupBy?: string[]) => ({
  signal: 'spans' as const,
  measure,
  spans: 'entry' as const,
  filters: serviceFilter('service'),
  ...(groupBy ? { groupBy } : {}),
});

/** RED of one service (or all) over its entry spans, its operations, and its slow / failed traces. */
const SERVICE_OVERVIEW: Input = {
  title: 'Service overview',
  description:
    'Requests, errors and latency of the entry spans (server and consumer spans, or root spans of services without them). Pick a service, or leave it empty for all.',
  tags: ['built-in', 'traces'],
  variables: [{ name: 'service', label: 'Service', source: { signal: 'spans', label: 'service' } }],
  timeRange: { lastSeconds: 3600 },
  panels: [
    // Stat and gauge panels answer over the whole time range (their default `range` reducer).
    { type: 'stat', title: 'Requests', layout: { x: 0, y: 0, w: 6, h: 4 }, query: red('count') },
    {
      type: 'stat',
      title: 'Error rate',
      layout: { x: 6, y: 0, w: 6, h: 4 },
      query: red('error_rate'),
      options: {
        unit: 'percentunit',
        decimals: 2,
        thresholds: [
          { value: 0, color: '#18a058' },
          { value: 0.01, color: '#f0a020' },
          { value: 0.05, color: '#d03050' },
        ],
      },
    },
    {
      type: 'gauge',
      title: 'p95 latency',
      layout: { x: 12, y: 0, w: 6, h: 4 },
      query: red('p95'),
      options: { unit: 'ms' },
    },
    {
      type: 'stat',
      title: 'p99 latency',
      layout: { x: 18, y: 0, w: 6, h: 4 },
      query: red('p99'),
      options: { unit: 'ms' },
    },
    {
      type: 'line',
      title: 'Request rate by service',
      layout: { x: 0, y: 4, w: 12, h: 8 },
      query: red('rate', ['service']),
      options: { unit: 'rate' },
    },
    {
      type: 'area',
      title: 'Errors by service',
      layout: { x: 12, y: 4, w: 12, h: 8 },
      query: red('errors', ['service']),
    },
    {
      type: 'line',
      title: 'Latency p50 by service',
      layout: { x: 0, y: 12, w: 12, h: 8 },
      query: red('p50', ['service']),
      options: { unit: 'ms' },
    },
    {
      type: 'line',
      title: 'Latency p95 by service',
      layout: { x: 12, y: 12, w: 12, h: 8 },
      query: red('p95', ['service']),
      options: { unit: 'ms' },
    },
    // Every operation of the service, whatever its kind, as the service page lists them.
    {
      type: 'table',
      title: 'Operations (p95)',
      layout: { x: 0, y: 20, w: 24, h: 8 },
      query: { signal: 'spans', measure: 'p95', filters: serviceFilter('service'), groupBy: ['service', 'operation'] },
      options: { unit: 'ms' },
    },
    {
      type: 'traces',
      title: 'Slowest traces',
      layout: { x: 0, y: 28, w: 12, h: 10 },
      query: { service: '$service', sort: 'slowest', limit: 20 },
    },
    {
      type: 'traces',
      title: 'Failed traces',
      layout: { x: 12, y: 28, w: 12, h: 10 },
      query: { service: '$service', status: 'error', limit: 20 },
    },
  ],
};

/** Log volume by severity and service, and the newest errors. */
const LOGS_OVERVIEW: Input = {
  title: 'Logs overview',
  description: 'Log volume by severity and service, and the newest warnings and errors.',
  tags: ['built-in', 'logs'],
  variables: [{ name: 'service', label: 'Service', source: { signal: 'logs', label: 'service' } }],
  timeRange: { lastSeconds: 3600 },
  panels: [
    {
      type: 'bar',
      title: 'Volume by severity',
      layout: { x: 0, y: 0, w: 16, h: 8 },
      query: { signal: 'logs', measure: 'count', filters: serviceFilter('service'), groupBy: ['severity'] },
    },
    {
      type: 'stat',
      title: 'Errors',
      layout: { x: 16, y: 0, w: 8, h: 4 },
      query: { signal: 'logs', measure: 'count', minSeverity: 'ERROR', filters: serviceFilter('service') },
    },
    {
      type: 'stat',
      title: 'Warnings',
      layout: { x: 16, y: 4, w: 8, h: 4 },
      query: { signal: 'logs', measure: 'count', minSeverity: 'WARN', filters: serviceFilter('service') },
    },
    {
      type: 'pie',
      title: 'Volume by service',
      layout: { x: 0, y: 8, w: 8, h: 8 },
      query: { signal: 'logs', measure: 'count', filters: serviceFilter('service'), groupBy: ['service'] },
    },
    {
      type: 'heatmap',
      title: 'Errors by service over time',
      layout: { x: 8, y: 8, w: 16, h: 8 },
      query: {
        signal: 'logs',
        measure: 'count',
        minSeverity: 'ERROR',
        filters: serviceFilter('service'),
        groupBy: ['service'],
      },
    },
    {
      type: 'logs',
      title: 'Newest errors',
      layout: { x: 0, y: 16, w: 24, h: 10 },
      query: { service: '$service', minSeverity: 'ERROR', limit: 100 },
    },
    {
      type: 'logs',
      title: 'Newest logs',
      layout: { x: 0, y: 26, w: 24, h: 10 },
      query: { service: '$service', limit: 100 },
    },
  ],
};

const runtime = (
  metric: string,
  aggregation: 'avg' | 'max' | 'sum' | 'rate' | 'p95' | 'last',
  groupBy: string[] = ['service.name'],
) => ({
  signal: 'metrics' as const,
  metric,
  aggregation,
  filters: serviceFilter('service.name'),
  groupBy,
});

/** Runtime metrics by their OpenTelemetry semantic-convention names: Node.js, JVM and Go. */
const RUNTIME_METRICS: Input = {
  title: 'Runtime metrics',
  description:
    'Memory, CPU, threads and pauses of Node.js, JVM and Go services (OpenTelemetry semantic-convention metric names).',
  tags: ['built-in', 'metrics', 'runtime'],
  variables: [{ name: 'service', label: 'Service', source: { signal: 'metrics', label: 'service.name' } }],
  timeRange: { lastSeconds: 3600 },
  panels: [
    {
      type: 'line',
      title: 'Node.js: event loop delay p99',
      layout: { x: 0, y: 0, w: 8, h: 8 },
      query: runtime('nodejs.eventloop.delay.p99', 'max'),
      options: { unit: 's' },
    },
    {
      type: 'line',
      title: 'Node.js: event loop utilization',
      layout: { x: 8, y: 0, w: 8, h: 8 },
      query: runtime('nodejs.eventloop.utilization', 'avg'),
      options: { unit: 'percentunit' },
    },
    {
      type: 'area',
      title: 'Node.js: V8 heap used',
      layout: { x: 16, y: 0, w: 8, h: 8 },
      query: runtime('v8js.memory.heap.used', 'avg', ['service.name', 'v8js.heap.space.name']),
      options: { unit: 'bytes' },
    },
    {
      type: 'area',
      title: 'JVM: memory used',
      layout: { x: 0, y: 8, w: 8, h: 8 },
      query: runtime('jvm.memory.used', 'avg', ['service.name', 'jvm.memory.type']),
      options: { unit: 'bytes' },
    },
    {
      type: 'line',
      title: 'JVM: GC pause p95',
      layout: { x: 8, y: 8, w: 8, h: 8 },
      query: runtime('jvm.gc.duration', 'p95', ['service.name', 'jvm.gc.name']),
      options: { unit: 's' },
    },
    {
      type: 'line',
      title: 'JVM: threads',
      layout: { x: 16, y: 8, w: 8, h: 8 },
      query: runtime('jvm.thread.count', 'avg'),
    },
    {
      type: 'line',
      title: 'JVM: CPU utilization',
      layout: { x: 0, y: 16, w: 8, h: 8 },
      query: runtime('jvm.cpu.recent_utilization', 'avg'),
      options: { unit: 'percentunit' },
    },
    {
      type: 'area',
      title: 'Go: memory used',
      layout: { x: 8, y: 16, w: 8, h: 8 },
      query: runtime('go.memory.used', 'avg'),
      options: { unit: 'bytes' },
    },
    {
      type: 'line',
      title: 'Go: goroutines',
      layout: { x: 16, y: 16, w: 8, h: 8 },
      query: runtime('go.goroutine.count', 'avg'),
    },
    {
      type: 'line',
      title: 'Go: allocation rate',
      layout: { x: 0, y: 24, w: 12, h: 8 },
      query: runtime('go.memory.allocated', 'rate'),
      options: { unit: 'Bps' },
    },
    {
      type: 'line',
      title: 'Process CPU time rate',
      layout: { x: 12, y: 24, w: 12, h: 8 },
      query: runtime('process.cpu.time', 'rate'),
      options: { unit: 's' },
    },
  ],
};

/** The templates every new tenant gets, by their `built_in` key. Validated when this module loads. */
export const BUILT_IN_DASHBOARDS: Readonly<Record<string, DashboardDefinition>> = Object.freeze({
  'service-overview': DashboardDefinitionSchema.parse(SERVICE_OVERVIEW),
  'logs-overview': DashboardDefinitionSchema.parse(LOGS_OVERVIEW),
  'runtime-metrics': DashboardDefinitionSchema.parse(RUNTIME_METRICS),
});

/**
 * Creates the built-in dashboards of a tenant that it does not have yet (idempotent), in
 * the caller's transaction. Called when a tenant is created.
 */
export async function createBuiltInDashboards(em: EntityManager, tenantId: string): Promise<DashboardEntity[]> {
  const existing = new Set(
    (await em.getRepository(DashboardEntity).find({ select: { builtIn: true }, where: { tenantId } })).map(
      (d) => d.builtIn,
    ),
  );
  const created: DashboardEntity[] = [];
  for (const [key, definition] of Object.entries(BUILT_IN_DASHBOARDS)) {
    if (!existing.has(key)) created.push(await insertDashboard(em, tenantId, definition, null, key));
  }
  return created;
}

/**
 * Brings every tenant's unedited built-in dashboards (still at version 1) to the current
 * templates, so a fix to a template reaches tenants created before it; a built-in someone
 * saved (version 2 on) is the tenant's own and left alone. Idempotent; runs at every start.
 * Returns how many dashboards changed.
 */
export async function refreshBuiltInDashboards(em: EntityManager): Promise<number> {
  let changed = 0;
  for (const [key, definition] of Object.entries(BUILT_IN_DASHBOARDS)) {
    const rows = (await em.query(
      `WITH stale AS (
         UPDATE dashboards SET definition = $2::jsonb, title = $3, updated_at = now()
          WHERE built_in = $1 AND version = 1 AND definition <> $2::jsonb
         RETURNING id)
       UPDATE dashboard_versions v SET definition = $2::jsonb FROM stale WHERE v.dashboard_id = stale.id AND v.version = 1
       RETURNING v.dashboard_id`,
      [key, JSON.stringify(definition), definition.title],
    )) as [unknown[], number];
    changed += rows[1];
  }
  return changed;
}
