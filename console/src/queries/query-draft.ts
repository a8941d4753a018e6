import type { FilterOp, QueryDto } from '@telemetryflow/contract';

export type QuerySignal = QueryDto['signal'];
export type QueryFilter = { label: string; op: FilterOp; value: string | string[] };

/** A query to start from when the user picks a signal. */
export function starterQuery(signal: QuerySignal): QueryDto {
  if (signal === 'metrics') return { signal: 'metrics', metric: '', aggregation: 'avg' };
  if (signal === 'spans') return { signal: 'spans', measure: 'rate', groupBy: ['service'] };
  return { signal: 'logs', measure: 'count' };
}

/** Dimensions each signal can group and filter by without a custom `attr.` / `resource.` key. */
export const SIGNAL_LABELS: Record<Exclude<QuerySignal, 'metrics'>, readonly string[]> = {
  spans: ['service', 'operation', 'kind', 'status'],
  logs: ['service', 'severity'],
};

/** A filter with another operator: `in` takes a list of values, the others one string. */
export function withOperator(filter: QueryFilter, op: FilterOp): QueryFilter {
  if (op === 'in')
    return { ...filter, op, value: Array.isArray(filter.value) ? filter.value : filter.value ? [filter.value] : [] };
  return { ...filter, op, value: Array.isArray(filter.value) ? (filter.value[0] ?? '') : filter.value };
}

/** `attr.<key>` / `resource.<key>` filters as editable rows, and back (rows without a key dropped). */
export function attributeRows(attributes: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value }));
}

export function attributeRecord(rows: readonly { key: string; value: string }[]): Record<string, string> | undefined {
  const kept = rows.filter((r) => r.key.trim());
  return kept.length ? Object.fromEntries(kept.map((r) => [r.key.trim(), r.value])) : undefined;
}

/** Empty texts and lists are left out: a cleared field means "no condition", not "equals ''". */
export function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([, v]) => v !== '' && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
    ),
  ) as T;
}
