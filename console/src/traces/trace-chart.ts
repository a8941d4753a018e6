import type { TraceHeatmapCellDto, TraceSummaryDto } from '@telemetryflow/contract';
import { formatMs } from '../charts/format.js';
import type { ChartOption } from '../charts/useChart.js';
import { formatTime, type TimeZoneSetting } from '../time/time-zone.js';

/** A rectangle dragged over the trace chart: its time span and its duration span. */
export interface TraceSelection {
  from: number;
  to: number;
  minDurationMs: number;
  maxDurationMs: number;
}

const BRUSH = { xAxisIndex: 0, yAxisIndex: 0, brushType: 'rect', brushMode: 'single', transformable: false };

/** Each listed trace as a dot: start time × duration, red when it failed; a click opens it. */
export function traceScatterOption(traces: TraceSummaryDto[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: [number, number, string, string] }) =>
        `${p.value[3]}<br/>${formatMs(p.value[1])} · ${formatTime(p.value[0], 'millis')}`,
    },
    brush: BRUSH,
    xAxis: { type: 'time' },
    // Headroom above the slowest trace, so its dots are not on the chart's edge.
    yAxis: {
      type: 'value',
      min: 0,
      max: (extent: { max: number }) => extent.max * 1.25 || 1,
      axisLabel: { formatter: (v: number) => formatMs(v) },
    },
    series: [
      {
        type: 'scatter',
        symbolSize: 8,
        data: traces.map((t) => ({
          value: [
            Number(BigInt(t.startTimeUnixNano) / 1_000_000n),
            Number(BigInt(t.durationNs)) / 1e6,
            t.traceId,
            `${t.rootServiceName}: ${t.rootName || '(missing root)'}`,
          ],
          itemStyle: { color: t.errorCount > 0 ? '#d03050' : '#2080f0' },
        })),
      },
    ],
  };
}

const STEPS_S = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 43_200, 86_400];

/** The heatmap's step: the shortest round step giving at most 60 columns over the range. */
export function heatmapStepSeconds(window: { from: number; to: number }): number {
  const seconds = (window.to - window.from) / 1000;
  return STEPS_S.find((s) => seconds / s <= 60) ?? Math.ceil(seconds / 60 / 86_400) * 86_400;
}

/** The lower bound in ms of a duration band: [2^band, 2^(band+1)). */
export const bandMs = (band: number) => 2 ** band;

export interface HeatmapAxes {
  times: number[];
  bands: number[];
}

/** Every step of the range (x) and every band from the shortest to the longest seen (y). */
export function heatmapAxes(
  cells: TraceHeatmapCellDto[],
  stepMs: number,
  window: { from: number; to: number },
): HeatmapAxes {
  const times: number[] = [];
  for (let t = Math.floor(window.from / stepMs) * stepMs; t <= window.to; t += stepMs) times.push(t);
  const seen = cells.map((c) => c.band);
  const bands: number[] = [];
  if (seen.length > 0) for (let b = Math.min(...seen); b <= Math.max(...seen); b++) bands.push(b);
  return { times, bands };
}

/** Every trace of the range as counts per start step (x) and duration band (y). */
export function traceHeatmapOption(
  cells: TraceHeatmapCellDto[],
  axes: HeatmapAxes,
  zone?: TimeZoneSetting,
): ChartOption {
  const column = new Map(axes.times.map((t, i) => [t, i]));
  const row = new Map(axes.bands.map((b, i) => [b, i]));
  const data = cells
    .filter((c) => column.has(c.t) && row.has(c.band))
    .map((c) => [column.get(c.t)!, row.get(c.band)!, c.count, c.errors]);
  const counts = cells.map((c) => c.count);
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number, number] }) => {
        const band = axes.bands[p.value[1]]!;
        const failed = p.value[3] > 0 ? `, ${p.value[3]} failed` : '';
        return `${formatTime(axes.times[p.value[0]]!, 'seconds', zone)}<br/>${formatMs(bandMs(band))} – ${formatMs(bandMs(band + 1))}: ${p.value[2]} traces${failed}`;
      },
    },
    brush: BRUSH,
    xAxis: { type: 'category', data: axes.times.map((t) => formatTime(t, 'clock', zone)) },
    yAxis: { type: 'category', data: axes.bands.map((b) => formatMs(bandMs(b))) },
    visualMap: {
      show: false,
      min: 0,
      max: counts.length > 0 ? Math.max(...counts) : 1,
      inRange: { color: ['#e8f1fd', '#2080f0', '#0c3d7a'] },
    },
    series: [{ type: 'heatmap', data }],
  };
}

/**
 * What a rectangle dragged over the chart selects: on the scatter, its coordinates (ms since
 * the epoch × ms of duration); on the heatmap, the steps and bands it covers, whole.
 */
export function traceSelection(
  coordRange: unknown,
  heatmap: { axes: HeatmapAxes; stepMs: number } | null,
): TraceSelection | null {
  if (!Array.isArray(coordRange) || coordRange.length !== 2) return null;
  const [x, y] = coordRange as [unknown, unknown];
  if (!Array.isArray(x) || !Array.isArray(y)) return null;
  const [x0, x1, y0, y1] = [x[0], x[1], y[0], y[1]].map(Number) as [number, number, number, number];
  if (![x0, x1, y0, y1].every(Number.isFinite)) return null;
  if (!heatmap) {
    if (x1 - x0 < 1) return null;
    return {
      from: Math.floor(x0),
      to: Math.ceil(x1),
      minDurationMs: Math.max(0, Math.floor(y0 * 1000) / 1000),
      maxDurationMs: Math.ceil(y1 * 1000) / 1000,
    };
  }
  const { times, bands } = heatmap.axes;
  const i0 = Math.max(0, Math.round(x0));
  const i1 = Math.min(times.length - 1, Math.round(x1));
  const j0 = Math.max(0, Math.round(y0));
  const j1 = Math.min(bands.length - 1, Math.round(y1));
  if (i1 < i0 || j1 < j0) return null;
  return {
    from: times[i0]!,
    to: times[i1]! + heatmap.stepMs,
    minDurationMs: bands[j0]! <= -10 ? 0 : bandMs(bands[j0]!),
    maxDurationMs: bandMs(bands[j1]! + 1),
  };
}
