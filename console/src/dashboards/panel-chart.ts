import {
  panelReducer,
  type Panel,
  type PanelQuery,
  type PanelReducer,
  type QueryResult,
} from '@telemetryflow/contract';
import { timeSeriesOption } from '../charts/series.js';
import { formatUnit, panelThresholds, unitOptions } from '../charts/units.js';
import type { ChartOption } from '../charts/useChart.js';
import { seriesName } from '../metrics/metric-chart.js';
import { legendName } from '../promql/promql-series.js';
import { formatTime, type TimeZoneSetting } from '../time/time-zone.js';

type SeriesPanelType = Exclude<Panel['type'], 'logs' | 'traces'>;

/** Panels drawn as a number (their first series reduced by the panel's reducer) rather than a chart. */
export const NUMBER_PANELS: ReadonlySet<string> = new Set(['stat']);

export function lastValue(result: QueryResult): number | null {
  const points = result.series[0]?.points ?? [];
  for (let i = points.length - 1; i >= 0; i--) if (points[i]![1] !== null) return points[i]![1];
  return null;
}

/**
 * The one number of a stat or gauge panel: its first series reduced by `reducer`. A `range`
 * panel's series is already one point over the whole range (the server evaluates it so), and
 * a PromQL panel's `range` reads as its last point.
 */
export function reduceSeries(result: QueryResult, reducer: PanelReducer): number | null {
  if (reducer === 'range' || reducer === 'last') return lastValue(result);
  const values = (result.series[0]?.points ?? []).map(([, v]) => v).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  switch (reducer) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
  }
}

/** The number a stat or gauge panel shows, by its `options.reducer`. */
export function panelNumber(result: QueryResult, options: Record<string, unknown> | undefined): number | null {
  return reduceSeries(result, panelReducer(options));
}

/** How a panel names a series from its labels. */
export type SeriesNamer = (labels: Record<string, string>) => string;

const byLabels: SeriesNamer = (labels) => seriesName('value', labels);

/** The name the server gave a series (a PromQL panel's legend), else the panel's own naming. */
const nameOf = (s: QueryResult['series'][number], name: SeriesNamer) => s.name ?? name(s.labels);

/** A PromQL panel names series by its legend template (else `name{labels}`), others by their labels. */
export function panelSeriesNamer(query: PanelQuery | undefined): SeriesNamer {
  return query?.signal === 'promql' ? (labels) => legendName(query.legend, labels) : byLabels;
}

/** Rows of a table panel: each series' labels and newest value. */
export function tableRows(result: QueryResult, name: SeriesNamer = byLabels): { name: string; value: number | null }[] {
  return result.series.map((s) => ({ name: nameOf(s, name), value: lastValue({ series: [s] }) }));
}

/** A round upper end for a gauge whose panel sets no `options.max`: 1, 2 or 5 × 10ⁿ above the value. */
export function gaugeMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= value)!;
}

function numberOption(options: Record<string, unknown> | undefined, name: string): number | undefined {
  const v = options?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The chart of a series panel: lines, areas, stacked bars, a pie of each series' total, a
 * heatmap of series (rows) over time (columns, in the console's time zone), or a gauge of the
 * panel's number (`options.min` / `options.max`, default 0 and a round value above it; its
 * arc coloured by `options.thresholds`). `options.unit` and `options.decimals` format values
 * on axes, tooltips and the gauge.
 */
export function panelChartOption(
  type: SeriesPanelType,
  result: QueryResult,
  options?: Record<string, unknown>,
  name: SeriesNamer = byLabels,
  zone?: TimeZoneSetting,
): ChartOption {
  const named = result.series.map((s) => ({ name: nameOf(s, name), points: s.points }));
  const { unit, decimals } = unitOptions(options);
  const format = (v: number) => formatUnit(v, unit, decimals);
  if (type === 'gauge') {
    const value = panelNumber(result, options);
    const min = numberOption(options, 'min') ?? 0;
    const max = numberOption(options, 'max') ?? gaugeMax(value ?? 0);
    const thresholds = panelThresholds(options);
    const span = max - min || 1;
    const bands: [number, string][] = thresholds
      .map((t, i): [number, string] => [
        Math.min(1, Math.max(0, ((thresholds[i + 1]?.value ?? max) - min) / span)),
        t.color,
      ])
      .filter(([end]) => end > 0);
    const text = value === null ? '–' : format(value);
    return {
      // The number is drawn on the canvas; the chart's label tells it to screen readers (and tests).
      aria: { enabled: true, label: { description: text } },
      tooltip: { formatter: () => `${named[0]?.name ?? ''}: ${text}` },
      series: [
        {
          // A half arc sized to the panel, its number in the middle and nothing else drawn
          // over it: the panel's title names it, so the gauge's own title and labels stay off.
          type: 'gauge',
          min,
          max,
          startAngle: 180,
          endAngle: 0,
          radius: '150%',
          center: ['50%', '95%'],
          progress: { show: thresholds.length === 0, width: 10 },
          axisLine: { lineStyle: { width: 10, ...(bands.length > 0 ? { color: bands } : {}) } },
          pointer: { show: thresholds.length > 0, width: 4, length: '60%' },
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { show: false },
          title: { show: false },
          detail: {
            valueAnimation: false,
            offsetCenter: [0, '-25%'],
            fontSize: 18,
            fontWeight: 600,
            formatter: (v: number) => (value === null ? '–' : format(v)),
          },
          data: [{ value: value ?? 0, name: named[0]?.name ?? '' }],
        },
      ],
    };
  }
  if (type === 'heatmap') {
    const times = [...new Set(named.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
    const column = new Map(times.map((t, i) => [t, i]));
    const cells = named.flatMap((s, row) =>
      s.points.filter(([, v]) => v !== null).map(([t, v]) => [column.get(t)!, row, v as number]),
    );
    const values = cells.map((c) => c[2]!);
    return {
      tooltip: {
        position: 'top',
        formatter: (p: { value: [number, number, number] }) =>
          `${named[p.value[1]]?.name ?? ''}<br/>${formatTime(times[p.value[0]]!, 'clock', zone)}: ${format(p.value[2])}`,
      },
      grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
      xAxis: {
        type: 'category',
        data: times.map((t) => formatTime(t, 'clock', zone)),
        splitArea: { show: true },
      },
      yAxis: { type: 'category', data: named.map((s) => s.name), splitArea: { show: true } },
      visualMap: {
        min: values.length > 0 ? Math.min(...values) : 0,
        max: values.length > 0 ? Math.max(...values) : 1,
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 80,
        formatter: (v: number) => format(v),
      },
      series: [{ type: 'heatmap', data: cells }],
    };
  }
  if (type === 'pie') {
    return {
      tooltip: { trigger: 'item', valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : '–') },
      series: [
        {
          type: 'pie',
          radius: ['35%', '70%'],
          data: named.map((s) => ({ name: s.name, value: s.points.reduce((sum, [, v]) => sum + (v ?? 0), 0) })),
        },
      ],
    };
  }
  const option = timeSeriesOption(named, { area: type === 'area', stack: type === 'area', unit: format }) as {
    series: Record<string, unknown>[];
  };
  if (type === 'bar') for (const s of option.series) Object.assign(s, { type: 'bar', stack: 'total' });
  return option;
}
