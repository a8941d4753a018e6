// The series a PromQL selector reads, looked up in `metric_series`: metric names first (a small
// per-tenant list, cached briefly), then the series of the candidate names seen in the range,
// with the label matchers of remote-written series pushed into the SQL. The exact match is
// decided on each series' Prometheus labels (series-views.ts), so the SQL only narrows.
import {
  RAW_TABLES,
  SERIES_COLUMNS as M,
  SERIES_SEEN_BUCKET_MS,
  TENANT_COLUMN,
  type MetricPointType,
} from '@telemetryflow/clickhouse';
import { PROMETHEUS_SCOPE } from '@telemetryflow/otlp';
import type { LabelMatcher } from '@telemetryflow/promql';
import type { ClickHouseReader } from '../clickhouse-reader.js';
import { toNumber } from '../clickhouse-rows.js';

/** A stored metric: what its Prometheus names depend on. */
export interface StoredMetric {
  readonly name: string;
  readonly type: MetricPointType;
  readonly unit: string;
  readonly monotonic: boolean;
  readonly temporality: number;
  readonly remoteWritten: boolean;
  readonly description: string;
  /** `prometheus.remote_write` for remote-written metrics, else one OTLP scope of the metric. */
  readonly scopeName: string;
}

/** A stored series, as the catalog keeps it. */
export interface StoredSeries extends StoredMetric {
  readonly fingerprint: string;
  readonly scopeVersion: string;
  readonly resource: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The tenant's stored metrics (one row per name, type, unit and origin), optionally with a HAVING. */
const metricsSql = (having = '') => `SELECT ${M.MetricName} AS name, ${M.MetricType} AS type, ${M.Unit} AS unit,
    any(${M.IsMonotonic}) AS monotonic, any(${M.Temporality}) AS temporality, ScopeName = {rw:String} AS rw,
    any(${M.Description}) AS description, any(ScopeName) AS scope
  FROM ${RAW_TABLES.metricSeries} WHERE ${TENANT_COLUMN} = {tenant:String}
  GROUP BY name, type, unit, rw ${having} LIMIT {limit:UInt32}`;

interface MetricRow {
  name: string;
  type: MetricPointType;
  unit: string;
  monotonic: boolean | number;
  temporality: number | string;
  rw: boolean | number;
  description: string;
  scope: string;
}

interface SeriesRow extends MetricRow {
  fp: string;
  scopeVersion: string;
  resource: Record<string, string>;
  attributes: Record<string, string>;
}

/** How long a tenant's list of metric names is reused; a name not in it triggers a re-read. */
const METRICS_TTL_MS = 10_000;

/**
 * Narrows remote-written series by the matchers on labels other than `__name__`: their labels are
 * their attributes as written (a missing one reads as '', as in Prometheus). OTLP series' labels
 * are derived from several maps, so they pass and are matched in JavaScript.
 */
export function remoteWrittenFilter(matchers: readonly LabelMatcher[]): {
  sql: string;
  params: Record<string, unknown>;
} {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  matchers.forEach((m, i) => {
    if (m.name === '__name__') return;
    params[`k${i}`] = m.name;
    params[`v${i}`] = m.type === '=~' || m.type === '!~' ? `^(?:${m.value})$` : m.value;
    const value = `${M.Attributes}[{k${i}:String}]`;
    parts.push(
      m.type === '='
        ? `${value} = {v${i}:String}`
        : m.type === '!='
          ? `${value} != {v${i}:String}`
          : m.type === '=~'
            ? `match(${value}, {v${i}:String})`
            : `NOT match(${value}, {v${i}:String})`,
    );
  });
  if (parts.length === 0) return { sql: '', params };
  return { sql: ` AND (ScopeName != {rw:String} OR (${parts.join(' AND ')}))`, params };
}

export class SeriesCatalog {
  private readonly metrics = new Map<string, { at: number; list: StoredMetric[] }>();

  constructor(
    private readonly ch: ClickHouseReader,
    private readonly maxMetrics: number,
  ) {}

  /** The tenant's stored metrics; `fresh` re-reads them. */
  async metricsOf(tenant: string, fresh = false): Promise<StoredMetric[]> {
    const cached = this.metrics.get(tenant);
    if (!fresh && cached && Date.now() - cached.at < METRICS_TTL_MS) return cached.list;
    const rows = await this.ch.select<MetricRow>(metricsSql(), {
      tenant,
      rw: PROMETHEUS_SCOPE,
      limit: this.maxMetrics,
    });
    const list = rows.map(metricOf);
    if (this.metrics.size > 10_000) this.metrics.clear();
    this.metrics.set(tenant, { at: Date.now(), list });
    return list;
  }

  /**
   * The tenant's metrics with a series seen within [startMs, endMs] (by the metric's first and last
   * seen over all its series: a metric whose series all ended before the range and started after it
   * counts too — rare, and a look-up, not a query answer).
   */
  async metricsSeen(tenant: string, startMs: number, endMs: number): Promise<StoredMetric[]> {
    const rows = await this.ch.select<MetricRow>(
      metricsSql(
        `HAVING max(${M.LastSeen}) >= fromUnixTimestamp64Milli({startMs:Int64}) - toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})
          AND min(${M.FirstSeen}) <= fromUnixTimestamp64Milli({endMs:Int64}) + toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})`,
      ),
      { tenant, rw: PROMETHEUS_SCOPE, limit: this.maxMetrics, startMs, endMs },
    );
    return rows.map(metricOf);
  }

  /** Series of the named metrics seen within [startMs, endMs], narrowed by `matchers` where SQL can. */
  async seriesOf(
    tenant: string,
    names: readonly string[],
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
    limit: number,
  ): Promise<StoredSeries[]> {
    if (names.length === 0) return [];
    const filter = remoteWrittenFilter(matchers);
    const rows = await this.ch.select<SeriesRow>(
      `SELECT ${M.MetricName} AS name, toString(${M.Fingerprint}) AS fp, any(${M.MetricType}) AS type, any(${M.Unit}) AS unit,
          any(${M.IsMonotonic}) AS monotonic, any(${M.Temporality}) AS temporality, any(ScopeName) = {rw:String} AS rw,
          any(${M.Description}) AS description, any(ScopeName) AS scope, any(ScopeVersion) AS scopeVersion,
          any(${M.ResourceAttributes}) AS resource, any(${M.Attributes}) AS attributes
        FROM ${RAW_TABLES.metricSeries}
        WHERE ${TENANT_COLUMN} = {tenant:String} AND ${M.MetricName} IN {names:Array(String)}${filter.sql}
        GROUP BY name, ${M.Fingerprint}
        HAVING max(${M.LastSeen}) >= fromUnixTimestamp64Milli({startMs:Int64}) - toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})
           AND min(${M.FirstSeen}) <= fromUnixTimestamp64Milli({endMs:Int64}) + toIntervalMillisecond(${SERIES_SEEN_BUCKET_MS})
        LIMIT {limit:UInt32}`,
      { tenant, names, rw: PROMETHEUS_SCOPE, startMs, endMs, limit, ...filter.params },
    );
    return rows.map((r) => ({
      ...metricOf(r),
      fingerprint: r.fp,
      scopeVersion: r.scopeVersion,
      resource: r.resource,
      attributes: r.attributes,
    }));
  }
}

/** An OTLP resource and when its series were seen (ms). */
export interface SeenResource {
  readonly resource: Readonly<Record<string, string>>;
  readonly first: number;
  readonly last: number;
}

/** The OTLP resources whose series were seen within [startMs, endMs] (for `target_info`). */
export async function resourcesSeen(
  ch: ClickHouseReader,
  tenant: string,
  startMs: number,
  endMs: number,
  limit: number,
): Promise<SeenResource[]> {
  const rows = await ch.select<{ resource: Record<string, string>; first: number; last: number }>(
    `SELECT ${M.ResourceAttributes} AS resource, toUnixTimestamp64Milli(min(${M.FirstSeen})) AS first,
        toUnixTimestamp64Milli(max(${M.LastSeen})) AS last
      FROM ${RAW_TABLES.metricSeries}
      WHERE ${TENANT_COLUMN} = {tenant:String} AND ScopeName != {rw:String}
      GROUP BY resource
      HAVING last >= {startMs:Int64} - ${SERIES_SEEN_BUCKET_MS} AND first <= {endMs:Int64} + ${SERIES_SEEN_BUCKET_MS}
      LIMIT {limit:UInt32}`,
    { tenant, rw: PROMETHEUS_SCOPE, startMs, endMs, limit },
    'output_format_json_quote_64bit_integers = 0',
  );
  return rows;
}

function metricOf(r: MetricRow): StoredMetric {
  return {
    name: r.name,
    type: r.type,
    unit: r.unit,
    monotonic: r.monotonic === true || r.monotonic === 1,
    temporality: toNumber(r.temporality),
    remoteWritten: r.rw === true || r.rw === 1,
    description: r.description,
    scopeName: r.scope,
  };
}
