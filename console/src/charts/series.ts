import { roundValue } from './units.js';
import type { ChartOption } from './useChart.js';

/** A time-series line chart of named `[epochMs, value]` series (pure, for views and tests). */
export function timeSeriesOption(
  series: { name: string; points: [number, number | null][] }[],
  opts: { unit?: (v: number) => string; area?: boolean; stack?: boolean } = {},
): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    // Many series: the tooltip stays inside the chart, largest first; the legend is one scrolling line.
    tooltip: {
      trigger: 'axis',
      confine: true,
      order: 'valueDesc',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? (opts.unit ?? roundValue)(v) : '–'),
    },
    legend: { top: 0, type: 'scroll', textStyle: { width: 220, overflow: 'truncate' }, tooltip: { show: true } },
    // Narrow charts (three in a row at 1024 px) would print time labels over each other: drop the overlapping ones.
    // The margin keeps a time label near the origin clear of the value axis' lowest label.
    xAxis: { type: 'time', axisLabel: { hideOverlap: true, margin: 14 } },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => (opts.unit ?? roundValue)(v), hideOverlap: true },
    },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      data: s.points,
      ...(opts.area ? { areaStyle: { opacity: 0.25 } } : {}),
      ...(opts.stack ? { stack: 'total' } : {}),
    })),
  };
}
