import { describe, expect, it } from 'vitest';
import {
  gaugeMax,
  lastValue,
  panelChartOption,
  panelNumber,
  panelSeriesNamer,
  reduceSeries,
  tableRows,
} from './panel-chart.js';

const result = {
  series: [
    {
      labels: { service: 'a' },
      points: [
        [0, 1],
        [60_000, 2],
        [120_000, null],
      ] as [number, number | null][],
    },
    {
      labels: { service: 'b' },
      points: [
        [0, 5],
        [60_000, null],
        [120_000, null],
      ] as [number, number | null][],
    },
  ],
};

describe('dashboard panels', () => {
  it('reads the newest value for stat panels and tables', () => {
    expect(lastValue(result)).toBe(2);
    expect(lastValue({ series: [] })).toBeNull();
    expect(tableRows(result)).toEqual([
      { name: '{service="a"}', value: 2 },
      { name: '{service="b"}', value: 5 },
    ]);
  });

  it('names a series by its own name where it has one (a PromQL legend)', () => {
    const named = { series: [{ ...result.series[0]!, name: 'HTTP 200' }, result.series[1]!] };
    expect(tableRows(named).map((r) => r.name)).toEqual(['HTTP 200', '{service="b"}']);
    const pie = panelChartOption('pie', named) as { series: { data: { name: string }[] }[] };
    expect(pie.series[0]!.data.map((d) => d.name)).toEqual(['HTTP 200', '{service="b"}']);
  });

  it('draws pies from totals and bars stacked', () => {
    const pie = panelChartOption('pie', result) as { series: { data: { name: string; value: number }[] }[] };
    expect(pie.series[0]!.data).toEqual([
      { name: '{service="a"}', value: 3 },
      { name: '{service="b"}', value: 5 },
    ]);
    const bar = panelChartOption('bar', result) as { series: { type: string }[] };
    expect(bar.series.map((s) => s.type)).toEqual(['bar', 'bar']);
  });

  it('reduces stat and gauge panels by their reducer: the whole-range point, last, mean, sum, max, min', () => {
    expect(reduceSeries(result, 'last')).toBe(2);
    expect(reduceSeries(result, 'sum')).toBe(3);
    expect(reduceSeries(result, 'mean')).toBe(1.5);
    expect(reduceSeries(result, 'max')).toBe(2);
    expect(reduceSeries(result, 'min')).toBe(1);
    expect(reduceSeries({ series: [] }, 'sum')).toBeNull();
    // The server answers a `range` panel with one point over the whole range.
    expect(panelNumber({ series: [{ labels: {}, points: [[0, 0.0068]] }] }, undefined)).toBe(0.0068);
    expect(panelNumber(result, { reducer: 'sum' })).toBe(3);
    expect(panelNumber(result, { reducer: 'median' })).toBe(2);
  });

  it('formats axes and tooltips in the panel unit, rounded', () => {
    const line = panelChartOption('line', result, { unit: 'ms' }) as {
      yAxis: { axisLabel: { formatter: (v: number) => string } };
      tooltip: { valueFormatter: (v: number) => string };
    };
    expect(line.yAxis.axisLabel.formatter(1500)).toBe('1.5 s');
    expect(line.tooltip.valueFormatter(0.27708333333333296)).toBe('277.1 µs');
    const plain = panelChartOption('line', result) as { tooltip: { valueFormatter: (v: number) => string } };
    expect(plain.tooltip.valueFormatter(0.27708333333333296)).toBe('0.2771');
  });

  it('draws heatmaps as series rows over time columns, skipping empty points', () => {
    const heat = panelChartOption('heatmap', result, undefined, undefined, 'utc') as {
      xAxis: { data: string[] };
      yAxis: { data: string[] };
      visualMap: { min: number; max: number };
      series: { type: string; data: number[][] }[];
    };
    expect(heat.series[0]!.type).toBe('heatmap');
    expect(heat.xAxis.data).toEqual(['00:00Z', '00:01Z', '00:02Z']);
    expect(heat.yAxis.data).toEqual(['{service="a"}', '{service="b"}']);
    expect(heat.series[0]!.data).toEqual([
      [0, 0, 1],
      [1, 0, 2],
      [0, 1, 5],
    ]);
    expect([heat.visualMap.min, heat.visualMap.max]).toEqual([1, 5]);
  });

  it('draws gauges of the newest value, up to options.max or a round value above it', () => {
    const gauge = panelChartOption('gauge', result) as {
      series: { type: string; min: number; max: number; data: { value: number }[] }[];
    };
    expect(gauge.series[0]).toMatchObject({ type: 'gauge', min: 0, max: 2, data: [{ value: 2 }] });
    const capped = panelChartOption('gauge', result, { min: 1, max: 100 }) as {
      series: { min: number; max: number }[];
    };
    expect(capped.series[0]).toMatchObject({ min: 1, max: 100 });
    expect([gaugeMax(0), gaugeMax(0.3), gaugeMax(7), gaugeMax(730)]).toEqual([1, 0.5, 10, 1000]);
  });

  it('names the series of a PromQL panel by its legend, or Prometheus-style without one', () => {
    const promql = { series: [{ labels: { __name__: 'up', job: 'api' }, points: result.series[0]!.points }] };
    const legend = panelSeriesNamer({ signal: 'promql', expr: 'up', legend: 'job {{job}}' });
    const line = panelChartOption('line', promql, undefined, legend) as { series: { name: string }[] };
    expect(line.series.map((s) => s.name)).toEqual(['job api']);
    expect(tableRows(promql, panelSeriesNamer({ signal: 'promql', expr: 'up' }))).toEqual([
      { name: 'up{job="api"}', value: 2 },
    ]);
    expect(panelSeriesNamer({ signal: 'spans', measure: 'rate' })({ service: 'a' })).toBe('{service="a"}');
    // A name the server gave (its render applies the legend) wins.
    const named = { series: [{ ...promql.series[0]!, name: 'from the server' }] };
    expect(tableRows(named, legend)[0]!.name).toBe('from the server');
  });
});
