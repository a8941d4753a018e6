import { describe, expect, it } from 'vitest';
import { lastValue, panelChartOption, tableRows } from './panel-chart.js';

const result = {
  series: [
    { labels: { service: 'a' }, points: [[0, 1], [60_000, 2], [120_000, null]] as [number, number | null][] },
    { labels: { service: 'b' }, points: [[0, 5], [60_000, null], [120_000, null]] as [number, number | null][] },
  ],
};

describe('dashboard panels', () => {
  it('reads the newest value for stat panels and tables', () => {
    expect(lastValue(result)).toBe(2);
    expect(lastValue({ series: [] })).toBeNull();
    expect(tableRows(result)).toEqual([{ name: '{service="a"}', value: 2 }, { name: '{service="b"}', value: 5 }]);
  });

  it('draws pies from totals and bars stacked', () => {
    const pie = panelChartOption('pie', result) as { series: { data: { name: string; value: number }[] }[] };
    expect(pie.series[0]!.data).toEqual([{ name: '{service="a"}', value: 3 }, { name: '{service="b"}', value: 5 }]);
    const bar = panelChartOption('bar', result) as { series: { type: string }[] };
    expect(bar.series.map((s) => s.type)).toEqual(['bar', 'bar']);
  });
});
