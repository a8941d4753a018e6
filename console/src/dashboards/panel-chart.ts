import type { Panel, QueryResult } from '@telemetryflow/schemas';
import { timeSeriesOption } from '../charts/series.js';
import type { ChartOption } from '../charts/useChart.js';
import { seriesName } from '../metrics/metric-chart.js';

type SeriesPanelType = Exclude<Panel['type'], 'logs' | 'traces'>;

/** Panels drawn as a number (the newest value of the first series) rather than a chart. */
export const NUMBER_PANELS: ReadonlySet<string> = new Set(['stat', 'gauge']);

export function lastValue(result: QueryResult): number | null {
  const points = result.series[0]?.points ?? [];
  for (let i = points.length - 1; i >= 0; i--) if (points[i]![1] !== null) return points[i]![1];
  return null;
}

/** Rows of a table panel: each series' labels and newest value. */
export function tableRows(result: QueryResult): { name: string; value: number | null }[] {
  return result.series.map((s) => ({ name: seriesName('value', s.labels), value: lastValue({ series: [s] }) }));
}

/** The chart of a series panel: lines, areas, bars, or a pie of each series' total. */
export function panelChartOption(type: SeriesPanelType, result: QueryResult): ChartOption {
  const named = result.series.map((s) => ({ name: seriesName('value', s.labels), points: s.points }));
  if (type === 'pie') {
    return {
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['35%', '70%'], data: named.map((s) => ({ name: s.name, value: s.points.reduce((sum, [, v]) => sum + (v ?? 0), 0) })) }],
    };
  }
  const option = timeSeriesOption(named, { area: type === 'area', stack: type === 'area' }) as { series: Record<string, unknown>[] };
  if (type === 'bar' || type === 'heatmap') for (const s of option.series) Object.assign(s, { type: 'bar', stack: 'total' });
  return option;
}
