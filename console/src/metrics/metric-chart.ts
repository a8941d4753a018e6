import type { ExemplarDto, LabelFilter } from '@telemetryflow/contract';
import { timeSeriesOption } from '../charts/series.js';
import { formatUnit, roundValue } from '../charts/units.js';
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

/**
 * Short legend names: the labels every series shares are left out (the chart is of them all),
 * and the rest read `host=h1, route=/api`. One series (or none differing) keeps its full name.
 */
export function compactSeriesNames(labelSets: Record<string, string>[], metric: string): string[] {
  if (labelSets.length < 2) return labelSets.map((l) => seriesName(metric, l));
  const keys = [...new Set(labelSets.flatMap((l) => Object.keys(l)))];
  const varying = keys.filter((k) => new Set(labelSets.map((l) => l[k] ?? '')).size > 1);
  return labelSets.map((l) => {
    const parts = varying.filter((k) => k in l).map((k) => `${k}=${l[k]}`);
    return parts.length ? parts.join(', ') : seriesName(metric, l);
  });
}

/** OpenTelemetry (UCUM) units of a metric as the console's units: `s`, `ms`, `By` → bytes, `1` → none. */
const UCUM: Record<string, string> = { s: 's', ms: 'ms', By: 'bytes', 'By/s': 'Bps', '%': 'percent' };

/**
 * How a metric's values print on the axis and in tooltips: in its unit (per second for a
 * `rate`; a `count` of points has none), rounded; a unit the console does not know (`{requests}`) follows the number.
 */
export function metricValueFormat(unit: string | undefined, aggregation: string): (v: number) => string {
  const known = unit ? UCUM[unit] : undefined;
  if (aggregation === 'count') return (v) => roundValue(v);
  if (aggregation === 'rate') {
    if (known === 'bytes') return (v) => formatUnit(v, 'Bps');
    const per = unit && unit !== '1' ? ` ${unit.replace(/^\{(.*)\}$/, '$1')}` : '';
    return (v) => `${roundValue(v)}${per}/s`;
  }
  if (known) return (v) => formatUnit(v, known);
  if (unit && unit !== '1') return (v) => `${roundValue(v)} ${unit.replace(/^\{(.*)\}$/, '$1')}`;
  return (v) => roundValue(v);
}

export function metricChartOption(
  series: { name: string; points: [number, number | null][] }[],
  kind: ChartKind,
  format: (v: number) => string = (v) => roundValue(v),
): ChartOption {
  const option = timeSeriesOption(series, { area: kind === 'area', unit: format }) as {
    series: Record<string, unknown>[];
  };
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
