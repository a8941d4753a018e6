import type { Threshold } from '@telemetryflow/contract';

/** True when `value` breaches the threshold (strictly above / below / outside [min, max]). */
export function breaches(threshold: Threshold, value: number): boolean {
  switch (threshold.op) {
    case 'above':
      return value > threshold.value;
    case 'below':
      return value < threshold.value;
    case 'outside':
      return value < threshold.min || value > threshold.max;
  }
}
