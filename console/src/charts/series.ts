import type { ChartOption } from './useChart.js';

/** A time-series line chart of named `[epochMs, value]` series (pure, for views and tests). */
export function timeSeriesOption(
  series: { name: string; points: [number, number | null][] }[],
  opts: { unit?: (v: number) => string; area?: boolean; stack?: boolean } = {},
): ChartOption {
  return {
    grid: { left: 56, right: 16, top: 28, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: opts.unit ? (v: unknown) => (typeof v === 'number' ? opts.unit!(v) : '–') : undefined,
    },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', axisLabel: opts.unit ? { formatter: (v: number) => opts.unit!(v) } : {} },
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
