import type { Variable } from '@telemetryflow/contract';
import { VariableSchema } from '@telemetryflow/contract/dashboards';
import { fieldErrors, type FieldErrors } from '../layout/field-errors.js';

export type VariableSignal = Variable['source']['signal'];

export function newVariable(taken: readonly Variable[]): Variable {
  let n = taken.length + 1;
  while (taken.some((v) => v.name === `var${n}`)) n++;
  return { name: `var${n}`, source: { signal: 'spans', label: 'service' }, multi: false };
}

/** The same variable drawing its values from another signal (the label kept where it is valid). */
export function withSignal(v: Variable, signal: VariableSignal): Variable {
  const label = v.source.label;
  if (signal === 'metrics') return { ...v, source: { signal, label } };
  return { ...v, source: { signal, label: signal === 'logs' && label === 'operation' ? 'service' : label } };
}

/** Multi-value variables take a list of defaults, single ones one value. */
export function withMulti(v: Variable, multi: boolean): Variable {
  const d = v.default;
  if (multi) return { ...v, multi, ...(d === undefined ? {} : { default: Array.isArray(d) ? d : [d] }) };
  const one = Array.isArray(d) ? d[0] : d;
  const { default: _d, ...rest } = v;
  return { ...rest, multi, ...(one === undefined ? {} : { default: one }) };
}

export function moveVariable(list: readonly Variable[], index: number, by: -1 | 1): Variable[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return [...list];
  const out = [...list];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}

/** Errors by `<index>.<field>`, with the dashboard schema's messages (a name used twice too). */
export function variableErrors(list: readonly Variable[]): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  list.forEach((v, i) => {
    const r = VariableSchema.safeParse(v);
    if (!r.success)
      for (const [path, message] of Object.entries(fieldErrors(r.error.issues))) errors[`${i}.${path}`] ??= message;
    if (seen.has(v.name)) errors[`${i}.name`] ??= `variable ${v.name} is defined twice`;
    seen.add(v.name);
  });
  return errors;
}
