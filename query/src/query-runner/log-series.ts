// Log queries of the query DTO: label expressions, severity floor and text search, and
// whether the volume rollups (service and severity only, no text) can answer.
import { SEVERITY_LEVELS, type LabelFilter, type LogsQuery } from '@telemetryflow/contract';
import { SEVERITY_NAME } from '../logs/log-volume.js';
import { parseTextSearch, textSearchConditions } from '../logs/text-search.js';
import { filterCondition, type SqlPart } from './filter-sql.js';

const ROLLUP_LABELS = new Set(['service', 'severity']);

/** Rollups keep service and severity: text search or attribute labels need raw logs. */
export function logsNeedRaw(q: LogsQuery): boolean {
  const labels = [...(q.filters ?? []).map((f) => f.label), ...(q.groupBy ?? [])];
  return (q.search !== undefined && q.search.trim() !== '') || !labels.every((l) => ROLLUP_LABELS.has(l));
}

/** The SQL expression of a log label; `attr.` / `resource.` keys are bound as `param`. */
export function logLabelExpr(label: string, param: string): SqlPart {
  if (label === 'service') return { sql: 'ServiceName', params: {} };
  if (label === 'severity') return { sql: SEVERITY_NAME, params: {} };
  const [map, key] = label.startsWith('attr.')
    ? ['Attributes', label.slice(5)]
    : ['ResourceAttributes', label.slice(9)];
  return { sql: `${map}[{${param}:String}]`, params: { [param]: key } };
}

export function logFilter(f: LabelFilter, i: number): SqlPart {
  const expr = logLabelExpr(f.label, `fk${i}`);
  const upper = (v: string) => (f.label === 'severity' && f.op !== '=~' && f.op !== '!~' ? v.toUpperCase() : v);
  const cond = filterCondition(expr.sql, f.op, Array.isArray(f.value) ? f.value.map(upper) : upper(f.value), `fv${i}`);
  return { sql: cond.sql, params: { ...expr.params, ...cond.params } };
}

/** The lowest severity number of `minSeverity` (a number 1–24 or a range name). */
export function severityFloor(min: LogsQuery['minSeverity']): number | undefined {
  if (min === undefined) return undefined;
  return typeof min === 'number' ? min : SEVERITY_LEVELS[min];
}

/** Every condition of a logs query except tenant and time (same at every resolution). */
export function logConditions(
  q: Pick<LogsQuery, 'filters' | 'minSeverity' | 'search'>,
  searchParameter = 'query.search',
): SqlPart[] {
  const parts = (q.filters ?? []).map(logFilter);
  const floor = severityFloor(q.minSeverity);
  if (floor !== undefined) parts.push({ sql: 'SeverityNumber >= {minSeverity:UInt8}', params: { minSeverity: floor } });
  parts.push(...textSearchConditions(parseTextSearch(q.search, searchParameter), 'w'));
  return parts;
}
