import { describe, expect, it } from 'vitest';
import {
  compactSeriesNames,
  metricChartOption,
  metricValueFormat,
  parseFilters,
  seriesName,
  serializeFilters,
  withExemplars,
} from './metric-chart.js';

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

describe('metric units and legends', () => {
  it('prints values in the metric unit, per second for a rate, rounded', () => {
    expect(metricValueFormat('ms', 'avg')(0.27708333333333296)).toBe('277.1 µs');
    expect(metricValueFormat('By', 'max')(3 * 1024 * 1024)).toBe('3 MiB');
    expect(metricValueFormat('By', 'rate')(2048)).toBe('2 KiB/s');
    expect(metricValueFormat('{requests}', 'rate')(3.14159)).toBe('3.142 requests/s');
    expect(metricValueFormat('{jobs}', 'avg')(12)).toBe('12 jobs');
    expect(metricValueFormat('1', 'avg')(0.27708333333333296)).toBe('0.2771');
    expect(metricValueFormat(undefined, 'rate')(0.5)).toBe('0.5/s');
  });

  it('names series by the labels that differ between them', () => {
    expect(
      compactSeriesNames(
        [
          { 'service.name': 'checkout', host: 'h1' },
          { 'service.name': 'checkout', host: 'h2' },
        ],
        'queue.depth',
      ),
    ).toEqual(['host=h1', 'host=h2']);
    expect(compactSeriesNames([{ host: 'h1' }], 'queue.depth')).toEqual(['{host="h1"}']);
    expect(compactSeriesNames([{}, { host: 'h2' }], 'q')).toEqual(['q', 'host=h2']);
  });
});
