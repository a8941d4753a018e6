import type { ExemplarDto } from '@telemetryflow/schemas';
import { timeSeriesOption } from '../charts/series.js';
import type { ChartOption } from '../charts/useChart.js';

export type ChartKind = 'line' | 'area' | 'bar';

/** `a=1,b=x` in the URL ↔ the filter object of a metric query (commas and `=` escaped). */
export function parseFilters(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

export function serializeFilters(pairs: { key: string; value: string }[]): string {
  return pairs
    .filter((p) => p.key.trim())
    .map((p) => `${encodeURIComponent(p.key.trim())}=${encodeURIComponent(p.value)}`)
    .join(',');
}

export function seriesName(metric: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : metric;
}

export function metricChartOption(series: { name: string; points: [number, number | null][] }[], kind: ChartKind): ChartOption {
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
        data: exemplars.filter((e) => e.traceId).map((e) => ({ value: [Number(BigInt(e.timeUnixNano) / 1_000_000n), e.value], traceId: e.traceId, spanId: e.spanId })),
      },
    ],
  };
}
