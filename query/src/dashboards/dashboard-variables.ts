// `$name` / `${name}` substitution of dashboard variables into panel queries. Pure.
import type { Variable } from '@telemetryflow/contract';
import { invalidParameter } from '@telemetryflow/http-kit';

/** Every variable of a dashboard by name: its value(s), or null when it has none. */
export type VariableValues = Record<string, string | string[] | null>;
export type GivenValues = Record<string, string | string[]>;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const WHOLE_REFERENCE = /^(?:\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))$/;

/**
 * The value of every variable for one render: the one the request gives, else the
 * variable's default; a variable with neither has no value (filters on it are dropped,
 * which means "all"). Values for variables the dashboard does not define are refused.
 */
export function resolveVariableValues(defs: readonly Variable[], given: GivenValues = {}): VariableValues {
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) throw invalidParameter(`variables.${name}`, 'the dashboard has no such variable');
  }
  const out: VariableValues = {};
  for (const def of defs) {
    out[def.name] = null;
    const value = given[def.name] ?? def.default;
    if (value === undefined) continue;
    if (Array.isArray(value) && !def.multi && value.length !== 1)
      throw invalidParameter(`variables.${def.name}`, 'takes one value (the variable is not multi-valued)');
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || (list.length === 1 && list[0] === '')) continue;
    out[def.name] = def.multi ? list : list[0]!;
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function textOf(value: string | string[]): string {
  return Array.isArray(value) ? value.join('|') : value;
}

function isFilter(v: unknown): v is { label: string; op: string; value: string | string[] } {
  return typeof v === 'object' && v !== null && 'label' in v && 'op' in v && 'value' in v;
}

/**
 * A filter whose value is one variable reference: with several values `=` becomes `in`
 * and `!=` a negated alternation; with no value the filter is dropped (null).
 */
function substituteFilter(
  f: { label: string; op: string; value: string | string[] },
  values: VariableValues,
): object | null {
  if (Array.isArray(f.value)) {
    // `in` lists: a reference expands to all of its values, or to none when it has no value.
    const list = f.value.flatMap((v) => {
      const ref = WHOLE_REFERENCE.exec(v);
      const name = ref ? (ref[1] ?? ref[2]!) : undefined;
      if (name === undefined || !Object.hasOwn(values, name)) return [substituteVariables(v, values)];
      return values[name] ?? [];
    });
    return list.length === 0 ? null : { ...f, value: list };
  }
  const whole = WHOLE_REFERENCE.exec(f.value);
  if (!whole) return { ...f, value: substituteVariables(f.value, values) };
  const name = whole[1] ?? whole[2]!;
  if (!Object.hasOwn(values, name)) return { ...f };
  const value = values[name];
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return { ...f, value: f.op === 'in' ? [value] : value };
  switch (f.op) {
    case '=':
    case 'in':
      return { ...f, op: 'in', value };
    case '!=':
      return { ...f, op: '!~', value: `^(${value.map(escapeRegex).join('|')})$` };
    default:
      return { ...f, value: value.join('|') };
  }
}

/** Replaces variable references in every string of `query` (a panel query, plain JSON). */
export function substituteVariables<T>(query: T, values: VariableValues): T {
  if (typeof query === 'string') {
    return query.replace(REFERENCE, (ref, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      // Only the dashboard's own variables: any other `$word` is left as written.
      if (!Object.hasOwn(values, name)) return ref;
      const value = values[name];
      return value === null || value === undefined ? '' : textOf(value);
    }) as T;
  }
  if (Array.isArray(query)) {
    const out: unknown[] = [];
    for (const item of query) {
      const next = isFilter(item) ? substituteFilter(item, values) : substituteVariables(item, values);
      if (next !== null) out.push(next);
    }
    return out as T;
  }
  if (typeof query === 'object' && query !== null) {
    return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, substituteVariables(v, values)])) as T;
  }
  return query;
}
