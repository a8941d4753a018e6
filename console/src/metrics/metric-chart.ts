import type { ExemplarDto, LabelFilter } from '@telemetryflow/contract';
import { timeSeriesOption } from '../charts/series.js';
import type { ChartOption } from '../charts/useChart.js';

export type ChartKind = 'line' | 'area' | 'bar';

/** Operators of the explorer's label filters (the query DTO's, without `in`). */
export const FILTER_OPERATORS = ['=', '!=', '=~', '!~'] as const;
export type FilterRow = { label: string; op: (typeof FILTER_OPERATORS)[number]; value: string };

const FILTER_PART = /^([^=!~]+)(=~|!~|!=|=)(.*)$/;

/** `host=h1,route=~%5E%2Fapi` in the URL ↔ label filters (labels and values percent-encoded). */
export function parseFilters(text: string): FilterRow[] {
  if (!text) return [];
  return text.split(',').flatMap((part) => {
    const m = FILTER_PART.exec(part);
    if (!m) return [];
    try {
      return [{ label: decodeURIComponent(m[1]!), op: m[2] as FilterRow['op'], value: decodeURIComponent(m[3]!) }];
    } catch {
      return [];
    }
  });
}

export function serializeFilters(rows: FilterRow[]): string {
  return rows
    .filter((r) => r.label.trim())
    .map((r) => `${encodeURIComponent(r.label.trim())}${r.op}${encodeURIComponent(r.value)}`)
    .join(',');
}

export function labelFilters(rows: FilterRow[]): LabelFilter[] {
  return rows.map((r) => ({ label: r.label, op: r.op, value: r.value }));
}

export function seriesName(metric: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : metric;
}

export function metricChartOption(
  series: { name: string; points: [number, number | null][] }[],
  kind: ChartKind,
): ChartOption {
  const option = timeSeriesOption(series, { area: kind === 'area' }) as { series: Record<string, unknown>[] };
  if (kind === 'bar') for (const s of option.series) s.type = 'bar';
  return option;
}

export const EXEMPLARS_SERIES = 'exemplars';

/** Exemplars as dots over the chart; each dot carries its trace id (the click opens the trace). */
export function withExemplars(option: ChartOption, exemplars: ExemplarDto[]): ChartOption {
  if (!exemplars.length) return option;
  const o = option as { series: Record<string, unknown>[] };
  return {
    ...o,
    series: [
      ...o.series,
      {
        name: EXEMPLARS_SERIES,
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 9,
        itemStyle: { color: '#f0a020' },
        tooltip: { trigger: 'item' },
        data: exemplars
          .filter((e) => e.traceId)
          .map((e) => ({
            value: [Number(BigInt(e.timeUnixNano) / 1_000_000n), e.value],
            traceId: e.traceId,
            spanId: e.spanId,
          })),
      },
    ],
  };
}
