import type { Panel, PanelQuery, QueryResult } from '@telemetryflow/contract';
import { formatValue } from '../charts/format.js';
import { timeSeriesOption } from '../charts/series.js';
import type { ChartOption } from '../charts/useChart.js';
import { seriesName } from '../metrics/metric-chart.js';
import { legendName } from '../promql/promql-series.js';

type SeriesPanelType = Exclude<Panel['type'], 'logs' | 'traces'>;

/** Panels drawn as a number (the newest value of the first series) rather than a chart. */
export const NUMBER_PANELS: ReadonlySet<string> = new Set(['stat']);

export function lastValue(result: QueryResult): number | null {
  const points = result.series[0]?.points ?? [];
  for (let i = points.length - 1; i >= 0; i--) if (points[i]![1] !== null) return points[i]![1];
  return null;
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
 * heatmap of series (rows) over time (columns), or a gauge of the newest value
 * (`options.min` / `options.max`, default 0 and a round value above it).
 */
export function panelChartOption(
  type: SeriesPanelType,
  result: QueryResult,
  options?: Record<string, unknown>,
  name: SeriesNamer = byLabels,
): ChartOption {
  const named = result.series.map((s) => ({ name: nameOf(s, name), points: s.points }));
  if (type === 'gauge') {
    const value = lastValue(result);
    const min = numberOption(options, 'min') ?? 0;
    const max = numberOption(options, 'max') ?? gaugeMax(value ?? 0);
    return {
      series: [
        {
          type: 'gauge',
          min,
          max,
          progress: { show: true },
          detail: { valueAnimation: false, formatter: (v: number) => formatValue(v) },
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
      tooltip: { position: 'top' },
      grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
      xAxis: {
        type: 'category',
        data: times.map((t) => new Date(t).toISOString().slice(11, 16)),
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
      },
      series: [{ type: 'heatmap', data: cells }],
    };
  }
  if (type === 'pie') {
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'pie',
          radius: ['35%', '70%'],
          data: named.map((s) => ({ name: s.name, value: s.points.reduce((sum, [, v]) => sum + (v ?? 0), 0) })),
        },
      ],
    };
  }
  const option = timeSeriesOption(named, { area: type === 'area', stack: type === 'area' }) as {
    series: Record<string, unknown>[];
  };
  if (type === 'bar') for (const s of option.series) Object.assign(s, { type: 'bar', stack: 'total' });
  return option;
}
