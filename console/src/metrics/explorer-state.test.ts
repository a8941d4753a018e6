import { describe, expect, it } from 'vitest';
import { explorerMode, parsePromqlState, promqlQuery } from './explorer-state.js';

describe('the PromQL explorer state in the URL', () => {
  it('reads the mode, expression, legend and view, with defaults for anything else', () => {
    expect(explorerMode({ mode: 'promql' })).toBe('promql');
    expect(explorerMode({ mode: 'nonsense' })).toBe('builder');
    expect(explorerMode({})).toBe('builder');
    expect(parsePromqlState({ expr: 'sum(up)', legend: '{{job}}', view: 'table' })).toEqual({
      expr: 'sum(up)',
      legend: '{{job}}',
      view: 'table',
    });
    expect(parsePromqlState({ expr: ['a', 'b'], view: 'pie' })).toEqual({ expr: '', legend: '', view: 'graph' });
  });

  it('writes only what differs from the defaults, and round-trips', () => {
    expect(promqlQuery({ expr: ' rate(x[5m]) ', legend: '', view: 'graph' })).toEqual({
      mode: 'promql',
      expr: 'rate(x[5m])',
      legend: undefined,
      view: undefined,
    });
    const state = { expr: 'up == 0', legend: '{{instance}}', view: 'table' as const };
    expect(parsePromqlState(promqlQuery(state))).toEqual(state);
  });
});
