/**
 * Units of panel values (`options.unit`), applied alike to stat numbers, axes and tooltips:
 * `s` / `seconds`, `ms`, `bytes`, `Bps` (bytes per second), `percent` (0–100),
 * `percentunit` (a ratio 0–1 shown as a percentage), `rate` / `reqps` (per second). Anything
 * else (or none) prints the plain number.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A number to `decimals` places, else to four significant digits without an exponent. */
export function roundValue(v: number, decimals?: number): string {
  if (decimals !== undefined) return v.toFixed(decimals);
  if (v === 0) return '0';
  if (Math.abs(v) >= 10_000) return String(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

function scaled(v: number, steps: [number, string][], decimals?: number): string {
  const abs = Math.abs(v);
  const [factor, suffix] = steps.find(([f]) => abs >= f) ?? steps[steps.length - 1]!;
  return `${roundValue(v / factor, decimals)} ${suffix}`;
}

function bytes(v: number, decimals?: number): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1024 && i < BYTE_UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${roundValue(x, decimals)} ${BYTE_UNITS[i]}`;
}

const SECONDS: [number, string][] = [
  [86_400, 'd'],
  [3600, 'h'],
  [60, 'min'],
  [1, 's'],
  [0.001, 'ms'],
  [0.000_001, 'µs'],
];

/** `v` in `unit`, rounded (to `decimals` places when given); `–` for no value. */
export function formatUnit(v: number | null | undefined, unit?: string, decimals?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's':
    case 'seconds':
      return v === 0 ? '0 s' : scaled(v, SECONDS, decimals);
    case 'ms':
      return v === 0 ? '0 ms' : scaled(v / 1000, SECONDS, decimals);
    case 'bytes':
      return bytes(v, decimals);
    case 'Bps':
      return `${bytes(v, decimals)}/s`;
    case 'percent':
      return `${roundValue(v, decimals)}%`;
    case 'percentunit':
      return `${roundValue(v * 100, decimals)}%`;
    case 'rate':
    case 'reqps':
      return `${roundValue(v, decimals)}/s`;
    default:
      return roundValue(v, decimals);
  }
}

/** `options.unit` and `options.decimals` of a panel, where they are of the right type. */
export function unitOptions(options: Record<string, unknown> | undefined): { unit?: string; decimals?: number } {
  const unit = typeof options?.unit === 'string' ? options.unit : undefined;
  const d = options?.decimals;
  const decimals = typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 10 ? d : undefined;
  return { ...(unit ? { unit } : {}), ...(decimals !== undefined ? { decimals } : {}) };
}

export interface Threshold {
  value: number;
  color: string;
}

/** `options.thresholds` (`[{ value, color }]`), ascending; entries of the wrong shape are left out. */
export function panelThresholds(options: Record<string, unknown> | undefined): Threshold[] {
  const list = options?.thresholds;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (t): t is Threshold =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as Threshold).value === 'number' &&
        Number.isFinite((t as Threshold).value) &&
        typeof (t as Threshold).color === 'string',
    )
    .map((t) => ({ value: t.value, color: t.color }))
    .sort((a, b) => a.value - b.value);
}

/** The colour of the highest threshold at or below `v`; undefined below all (or without any). */
export function thresholdColor(v: number | null, thresholds: Threshold[]): string | undefined {
  if (v === null) return undefined;
  let color: string | undefined;
  for (const t of thresholds) if (v >= t.value) color = t.color;
  return color;
}
