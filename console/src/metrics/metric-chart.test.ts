import { describe, expect, it } from 'vitest';
import { metricChartOption, parseFilters, seriesName, serializeFilters, withExemplars } from './metric-chart.js';

describe('metric explorer state', () => {
  it('round-trips label filters through the URL text, escaping separators', () => {
    const rows = [
      { label: 'http.route', op: '=~' as const, value: '^/a,b=c' },
      { label: ' ', op: '=' as const, value: 'ignored' },
      { label: 'host', op: '!=' as const, value: 'h1' },
    ];
    const text = serializeFilters(rows);
    expect(text).toBe('http.route=~%5E%2Fa%2Cb%3Dc,host!=h1');
    expect(parseFilters(text)).toEqual([rows[0], rows[2]]);
    expect(parseFilters('')).toEqual([]);
    expect(parseFilters('nonsense,%E0=x')).toEqual([]);
  });

  it('names series by labels and switches chart kinds', () => {
    expect(seriesName('cpu', {})).toBe('cpu');
    expect(seriesName('cpu', { host: 'a' })).toBe('{host="a"}');
    const bar = metricChartOption([{ name: 'x', points: [[0, 1]] }], 'bar') as { series: { type: string }[] };
    expect(bar.series[0]!.type).toBe('bar');
    const area = metricChartOption([{ name: 'x', points: [[0, 1]] }], 'area') as { series: { areaStyle?: unknown }[] };
    expect(area.series[0]!.areaStyle).toBeDefined();
  });
});

describe('exemplars', () => {
  it('adds a dot per exemplar with a trace, carrying its trace id', () => {
    const base = metricChartOption([{ name: 'x', points: [[0, 1]] }], 'line');
    const o = withExemplars(base, [
      {
        timeUnixNano: '120000000000',
        value: 3.5,
        traceId: 'ab'.repeat(16),
        spanId: 'cd'.repeat(8),
        seriesLabels: {},
        attributes: {},
      },
      { timeUnixNano: '180000000000', value: 1, traceId: '', spanId: '', seriesLabels: {}, attributes: {} },
    ]) as { series: { name: string; data: { value: [number, number]; traceId: string }[] }[] };
    expect(o.series).toHaveLength(2);
    expect(o.series[1]!.data).toEqual([{ value: [120_000, 3.5], traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) }]);
    expect(withExemplars(base, [])).toBe(base);
  });
});
