import type { UptimeBucketDto, UptimeDto } from '@telemetryflow/contract/monitors';
import { formatMs, formatPercent } from '../charts/format.js';
import { timeSeriesOption } from '../charts/series.js';
import type { ChartOption } from '../charts/useChart.js';
import { formatTime } from '../time/time-zone.js';

export const UP_COLOUR = '#18a058';
export const DEGRADED_COLOUR = '#f0a020';
export const DOWN_COLOUR = '#d03050';
export const NO_DATA_COLOUR = '#c2c2c2';
const SYMBOLS_UP_TO = 60;

/** A bucket's colour: all checks up, most (≥ 95 %), fewer, or no checks at all. */
export function uptimeColour(up: number | null): string {
  if (up === null) return NO_DATA_COLOUR;
  if (up >= 1) return UP_COLOUR;
  return up >= 0.95 ? DEGRADED_COLOUR : DOWN_COLOUR;
}

/**
 * Response time per bucket (average and p95, in ms, on the console's local time axis); buckets
 * with failed checks are shaded red behind the lines.
 */
export function responseTimeOption(uptime: UptimeDto): ChartOption {
  const t = (b: UptimeBucketDto) => Date.parse(b.start);
  const option = timeSeriesOption(
    [
      { name: 'average', points: uptime.buckets.map((b) => [t(b), b.avgLatencyMs]) },
      { name: 'p95', points: uptime.buckets.map((b) => [t(b), b.p95LatencyMs]) },
    ],
    { unit: formatMs },
  ) as { series: Record<string, unknown>[]; yAxis: unknown } & ChartOption;
  // Lone points between empty buckets draw no line: symbols show them while there are few.
  const withData = uptime.buckets.filter((b) => b.checks > 0).length;
  for (const s of option.series) s.showSymbol = withData <= SYMBOLS_UP_TO;
  (option.yAxis as { axisLabel: unknown }).axisLabel = { formatter: (v: number) => (v === 0 ? '0 ms' : formatMs(v)) };
  const stepMs = uptime.stepSeconds * 1000;
  const failing = uptime.buckets
    .filter((b) => b.up !== null && b.up < 1)
    .map((b) => [{ xAxis: t(b) }, { xAxis: t(b) + stepMs }]);
  if (failing.length > 0)
    option.series[0]!.markArea = { silent: true, itemStyle: { color: DOWN_COLOUR, opacity: 0.15 }, data: failing };
  return option;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A bar's label: an hour in the console's time zone (`12-07 14:00`), or a day (the API's days are UTC days). */
export function bucketLabel(startIso: string, stepSeconds: number): string {
  const d = new Date(startIso);
  if (stepSeconds % 86_400 === 0) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${formatTime(d.getTime(), 'day').slice(5)} ${formatTime(d.getTime(), 'clock')}`;
}

/** Uptime bars as a status page draws them: full height, coloured by the share of up checks. */
export function uptimeBarsOption(uptime: UptimeDto): ChartOption {
  const daily = uptime.stepSeconds % 86_400 === 0;
  const labels = uptime.buckets.map((b) => bucketLabel(b.start, uptime.stepSeconds));
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 24 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const b = uptime.buckets[p.dataIndex]!;
        const when = `${labels[p.dataIndex]}${daily ? ' UTC' : ''}`;
        return b.checks === 0
          ? `${when}: no checks`
          : `${when}: ${formatPercent(b.up)} up of ${b.checks} checks, average ${formatMs(b.avgLatencyMs)}`;
      },
    },
    xAxis: { type: 'category', data: labels, axisTick: { show: false }, axisLine: { show: false } },
    yAxis: { type: 'value', show: false, min: 0, max: 1 },
    series: [
      {
        type: 'bar',
        barCategoryGap: '20%',
        data: uptime.buckets.map((b) => ({ value: 1, itemStyle: { color: uptimeColour(b.up), borderRadius: 2 } })),
      },
    ],
  };
}

/** Latency values of a list row's sparkline: the buckets with checks, oldest first. */
export function latencyTrend(uptime: UptimeDto): number[] {
  return uptime.buckets.flatMap((b) => (b.avgLatencyMs === null ? [] : [b.avgLatencyMs]));
}
