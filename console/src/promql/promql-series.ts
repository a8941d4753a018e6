import type { PromQueryData, PromSample } from '../api/prometheus.js';
import type { RangeQueryWindow } from './promql-step.js';

type Labels = Record<string, string>;

/** A series ready to chart: its name, labels and `[epoch ms, value]` points (null: a gap). */
export interface NamedSeries {
  name: string;
  labels: Labels;
  points: [number, number | null][];
}

const quote = (v: string) => JSON.stringify(v);

/** `http_requests_total{job="api", code="500"}`, as Prometheus' UI names a series (`{}` for none). */
export function promSeriesName(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${quote(v)}`);
  return pairs.length || !name ? `${name}{${pairs.join(', ')}}` : name;
}

const LEGEND_LABEL = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * A series' name from a legend template, as in Grafana: `{{job}} {{ instance }}` takes the labels'
 * values (a label the series lacks gives nothing); an empty template names it by its labels.
 */
export function legendName(legend: string | undefined, labels: Labels): string {
  if (!legend?.trim()) return promSeriesName(labels);
  return legend.replace(LEGEND_LABEL, (_, label: string) => labels[label] ?? '');
}

/** A sample's value as a chart takes it: NaN and ±Inf become gaps. */
export function sampleValue(sample: PromSample): number | null {
  const v = Number(sample[1]);
  return Number.isFinite(v) ? v : null;
}

/**
 * A `query_range` matrix as chart series, named by `legend`: each series gets a point at every
 * step of the window, null where Prometheus returned no sample, so a line breaks where data stops
 * instead of bridging the gap.
 */
export function matrixSeries(
  result: { metric: Labels; values?: PromSample[] }[],
  window: RangeQueryWindow,
  legend?: string,
): NamedSeries[] {
  const stepMs = window.step * 1000;
  return result.map((s) => {
    const byTime = new Map((s.values ?? []).map((sample) => [Math.round(sample[0] * 1000), sampleValue(sample)]));
    const points: [number, number | null][] = [];
    for (let t = window.start; t <= window.end; t += stepMs) points.push([t, byTime.get(t) ?? null]);
    // Samples off the step grid (a server that does not align to it) still show.
    const onGrid = (t: number) => t >= window.start && t <= window.end && (t - window.start) % stepMs === 0;
    const offGrid = [...byTime].filter(([t]) => !onGrid(t));
    if (offGrid.length) {
      points.push(...offGrid);
      points.sort((a, b) => a[0] - b[0]);
    }
    return { name: legendName(legend, s.metric), labels: s.metric, points };
  });
}

/** One row of an instant query's table: a series (or the scalar / string) and its value. */
export interface InstantRow {
  name: string;
  /** The value as Prometheus wrote it; several `value @ time` lines for a range vector. */
  value: string;
}

/** The answer of an instant query (`/query`) as table rows, whatever its result type. */
export function instantRows(data: PromQueryData, legend?: string): InstantRow[] {
  switch (data.resultType) {
    case 'vector':
      return data.result.map((s) => ({ name: legendName(legend, s.metric), value: s.value?.[1] ?? '' }));
    case 'matrix':
      return data.result.map((s) => ({
        name: legendName(legend, s.metric),
        value: (s.values ?? []).map(([t, v]) => `${v} @${t}`).join('\n'),
      }));
    case 'scalar':
      return [{ name: 'scalar', value: data.result[1] }];
    case 'string':
      return [{ name: 'string', value: data.result[1] }];
  }
}
