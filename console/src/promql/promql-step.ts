/** Steps a chart of PromQL snaps to, in seconds (Grafana's ladder, from 1 s to a week). */
const NICE_STEPS = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 604_800,
];

/** Prometheus refuses a range query of more than 11,000 points per series. */
export const MAX_POINTS = 11_000;

export interface RangeQueryWindow {
  /** Epoch ms, a multiple of the step. */
  start: number;
  /** Epoch ms, a multiple of the step. */
  end: number;
  /** Seconds. */
  step: number;
}

/** The nice step nearest to `raw` seconds (the switch to the next one is halfway between them). */
function niceStep(raw: number): number {
  for (let i = 0; i < NICE_STEPS.length - 1; i++)
    if (raw < (NICE_STEPS[i]! + NICE_STEPS[i + 1]!) / 2) return NICE_STEPS[i]!;
  return NICE_STEPS[NICE_STEPS.length - 1]!;
}

/**
 * The `query_range` window of a chart `widthPx` wide over `from`–`to` (epoch ms), as Grafana picks it:
 * about one point per pixel, rounded to a nice step of at least 1 s (or `minStep`) and at most
 * MAX_POINTS points; start and end aligned down to a multiple of the step, so a refreshed chart
 * evaluates at the same instants and its points do not wander.
 */
export function rangeQueryWindow(range: { from: number; to: number }, widthPx: number, minStep = 1): RangeQueryWindow {
  const seconds = Math.max(range.to - range.from, 1000) / 1000;
  let step = Math.max(niceStep(seconds / Math.max(widthPx, 1)), Math.ceil(minStep));
  while (seconds / step > MAX_POINTS) step = NICE_STEPS.find((s) => s > step) ?? step * 2;
  const stepMs = step * 1000;
  return {
    start: Math.floor(range.from / stepMs) * stepMs,
    end: Math.floor(range.to / stepMs) * stepMs,
    step,
  };
}

/** `15`, `300`, `3600` → `15s`, `5m`, `1h` (Prometheus' duration notation). */
export function formatStep(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
