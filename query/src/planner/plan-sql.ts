// Turns a query plan into one ClickHouse query: a sub-select of partial aggregates per
// resolution (raw rows or rollup states), UNION ALL, merged by the caller's outer query.
import { TENANT_COLUMN, type ResolutionTables } from '@telemetryflow/clickhouse';
import type { QueryPlan, Resolution, Segment } from './query-plan.js';

/** A signal's table and time column at each resolution: from the read catalog, never from input. */
export type SignalTables = ResolutionTables;

export { LOG_TABLES, OPERATION_SPAN_TABLES, SERVICE_SPAN_TABLES } from '@telemetryflow/clickhouse';

/** What one segment's sub-select computes: its select list, extra filter and grouping. */
export interface PartialAggregate {
  select: string;
  where?: string;
  groupBy?: string;
}

export interface PlannedQuery {
  /** `(sub-select) UNION ALL (sub-select) …`, to be wrapped as a FROM subquery. */
  union: string;
  /** Bound values of the segments' ranges; the caller adds its own (tenant, …). */
  params: Record<string, unknown>;
}

/**
 * One sub-select per resolution the plan reads, each filtered by `TenantId = {tenant:String}`
 * and its segments' time ranges (bound parameters `from<i>` / `to<i>`). The edges at both
 * ends of a range often share a resolution; one read of the table serves both.
 */
export function plannedUnion(
  plan: QueryPlan,
  tables: SignalTables,
  partial: (source: Resolution) => PartialAggregate,
): PlannedQuery {
  const params: Record<string, unknown> = {};
  const ranges = new Map<Resolution, string[]>();
  plan.segments.forEach((segment, i) => {
    Object.assign(params, rangeParams(segment, i));
    const list = ranges.get(segment.source) ?? [];
    list.push(timeCondition(segment.source, tables[segment.source].time, i));
    ranges.set(segment.source, list);
  });
  const parts = [...ranges].map(([source, conditions]) => {
    const p = partial(source);
    const time = conditions.length === 1 ? conditions[0]! : `(${conditions.map((c) => `(${c})`).join(' OR ')})`;
    const where = [`${TENANT_COLUMN} = {tenant:String}`, time, ...(p.where ? [p.where] : [])].join(' AND ');
    return `SELECT ${p.select} FROM ${tables[source].table} WHERE ${where}${p.groupBy ? ` GROUP BY ${p.groupBy}` : ''}`;
  });
  return { union: parts.map((p) => `(${p})`).join(' UNION ALL '), params };
}

function timeCondition(source: Resolution, time: string, i: number): string {
  if (source === 'raw') {
    return `${time} >= fromUnixTimestamp64Nano({from${i}:Int64}) AND ${time} < fromUnixTimestamp64Nano({to${i}:Int64})`;
  }
  // Rollup segments start and end on whole buckets (seconds are exact).
  return `${time} >= toDateTime({from${i}:Int64}, 'UTC') AND ${time} < toDateTime({to${i}:Int64}, 'UTC')`;
}

function rangeParams(segment: Segment, i: number): Record<string, bigint> {
  const scale = segment.source === 'raw' ? 1n : 1_000_000_000n;
  return { [`from${i}`]: segment.fromNs / scale, [`to${i}`]: segment.toNs / scale };
}

/** Epoch-millisecond start of the step (`{stepMs:Int64}`) holding a row of `source`. */
export function stepBucket(source: Resolution, tables: SignalTables): string {
  const ms =
    source === 'raw'
      ? `toUnixTimestamp64Milli(${tables.raw.time})`
      : `toInt64(toUnixTimestamp(${tables[source].time})) * 1000`;
  return `intDiv(${ms}, {stepMs:Int64}) * {stepMs:Int64}`;
}
