import type { Variable } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { moveVariable, newVariable, variableErrors, withMulti, withSignal } from './variable-draft.js';

describe('dashboard variable drafts', () => {
  it('adds variables with free names that the schema accepts', () => {
    const first = newVariable([]);
    const second = newVariable([first]);
    expect([first.name, second.name]).toEqual(['var1', 'var2']);
    expect(variableErrors([first, second])).toEqual({});
  });

  it('names the wrong field of the wrong variable, and a name used twice', () => {
    const ok: Variable = { name: 'service', source: { signal: 'spans', label: 'service' }, multi: false };
    const errors = variableErrors([
      ok,
      { ...ok, name: '1bad' },
      ok,
      { name: 'x', source: { signal: 'logs', label: 'operation' }, multi: false },
    ]);
    expect(Object.keys(errors).sort()).toEqual(['1.name', '2.name', '3.source.label']);
    expect(errors['2.name']).toBe('variable service is defined twice');
  });

  it('switches the source signal and between one and several values', () => {
    const v: Variable = { name: 'op', source: { signal: 'spans', label: 'operation' }, default: 'GET /', multi: false };
    expect(withSignal(v, 'logs').source).toEqual({ signal: 'logs', label: 'service' });
    expect(withSignal(v, 'metrics').source).toEqual({ signal: 'metrics', label: 'operation' });
    const multi = withMulti(v, true);
    expect(multi).toMatchObject({ multi: true, default: ['GET /'] });
    expect(withMulti({ ...multi, default: ['a', 'b'] }, false)).toMatchObject({ multi: false, default: 'a' });
  });

  it('moves a variable up and down within the list', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => ({
      name,
      source: { signal: 'spans' as const, label: 'service' },
      multi: false,
    }));
    expect(moveVariable([a!, b!, c!], 2, -1).map((v) => v.name)).toEqual(['a', 'c', 'b']);
    expect(moveVariable([a!, b!, c!], 0, -1).map((v) => v.name)).toEqual(['a', 'b', 'c']);
  });
});
