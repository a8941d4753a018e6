// Pure: label filters of the query DTO as ClickHouse conditions. Every value (and map
// key) is a bound parameter; only fixed column expressions are written into the SQL.
import type { FilterOp, LabelFilter } from '@telemetryflow/contract';

export interface SqlPart {
  sql: string;
  params: Record<string, unknown>;
}

/** `expr op {param}`; regular expressions are RE2, matched anywhere unless anchored. */
export function filterCondition(expr: string, op: FilterOp, value: string | string[], param: string): SqlPart {
  switch (op) {
    case '=':
      return { sql: `${expr} = {${param}:String}`, params: { [param]: value } };
    case '!=':
      return { sql: `${expr} != {${param}:String}`, params: { [param]: value } };
    case '=~':
      return { sql: `match(${expr}, {${param}:String})`, params: { [param]: value } };
    case '!~':
      return { sql: `NOT match(${expr}, {${param}:String})`, params: { [param]: value } };
    case 'in':
      return {
        sql: `${expr} IN {${param}:Array(String)}`,
        params: { [param]: Array.isArray(value) ? value : [value] },
      };
  }
}

/** A metric label: the point attribute when the series has it, else the resource attribute. */
export function metricLabelFilter(f: LabelFilter, i: number): SqlPart {
  const key = `k${i}`;
  const expr = `if(mapContains(Attributes, {${key}:String}), Attributes[{${key}:String}], ResourceAttributes[{${key}:String}])`;
  const cond = filterCondition(expr, f.op, f.value, `v${i}`);
  return { sql: cond.sql, params: { ...cond.params, [key]: f.label } };
}

/** Joins parts with AND; `TRUE`-free when empty. */
export function allOf(parts: readonly SqlPart[]): SqlPart {
  return {
    sql: parts.map((p) => p.sql).join(' AND '),
    params: Object.assign({}, ...parts.map((p) => p.params)) as Record<string, unknown>,
  };
}
