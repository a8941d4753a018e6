import { formatTime } from '../time/time-zone.js';
/** Number formats shared by tables and chart axes. */

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatNsDuration(ns: string | bigint): string {
  return formatMs(Number(BigInt(ns)) / 1e6);
}

export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0/s';
  if (perSecond < 0.01) return `${(perSecond * 60).toFixed(2)}/min`;
  return `${perSecond < 10 ? perSecond.toFixed(2) : perSecond.toFixed(0)}/s`;
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '–';
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%`;
}

/** A nanosecond timestamp string as a date-time with milliseconds in the console's time zone. */
export function formatNsTime(ns: string): string {
  return formatTime(Number(BigInt(ns) / 1_000_000n), 'millis');
}

/** A measured value for a stat or table cell: four significant digits, no exponent for everyday sizes. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return String(Number(v.toPrecision(4)));
}

/**
 * One unit for a whole rate axis, so its labels compare: per minute when its largest value is
 * under 0.1/s (`0.54/min`, `0.36/min`), else per second.
 */
export function rateAxisFormat(max: number): (perSecond: number) => string {
  if (max > 0 && max < 0.1) return (v) => `${Number((v * 60).toFixed(2))}/min`;
  return (v) => `${Number(v.toFixed(v < 10 ? 2 : 0))}/s`;
}
