import { durationMs, type BurnWindow } from '@telemetryflow/contract';

/** Fraction of bad events per window length (ms); null when the window saw no events. */
export type BadRatios = Map<number, number | null>;

/** Window lengths (ms) a burn-rate condition needs, each once. */
export function burnWindowLengths(windows: BurnWindow[]): number[] {
  return [...new Set(windows.flatMap((w) => [durationMs(w.long), durationMs(w.short)]))].sort((a, b) => a - b);
}

export interface BurnVerdict {
  /** Null when no window saw an event. */
  breached: boolean | null;
  /** Burn rate of the longest window that saw events (budget spent per budget allowed). */
  value: number | null;
}

/**
 * Multi-window, multi-burn-rate: a pair breaches when its long and its short window both
 * burn the error budget (1 - target) faster than `factor`; any pair breaching is enough.
 * The short window makes the alert stop soon after the problem stops.
 */
export function burnVerdict(target: number, windows: BurnWindow[], ratios: BadRatios): BurnVerdict {
  const budget = 1 - target;
  const burn = (ms: number): number | null => {
    const r = ratios.get(ms);
    return r === null || r === undefined ? null : r / budget;
  };
  const lengths = burnWindowLengths(windows);
  if (lengths.every((ms) => burn(ms) === null)) return { breached: null, value: null };
  const breached = windows.some((w) => {
    const long = burn(durationMs(w.long));
    const short = burn(durationMs(w.short));
    return long !== null && short !== null && long > w.factor && short > w.factor;
  });
  const longest =
    [...lengths]
      .reverse()
      .map(burn)
      .find((b) => b !== null) ?? null;
  return { breached, value: longest };
}
