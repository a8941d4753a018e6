import { dropMetricName } from '../labels.js';
import { single, vectorArg, type FunctionImpl } from './types.js';

// Calendar functions in UTC of the sample value (seconds), or of the evaluation time without argument.

function dateFunction(f: (d: Date) => number): FunctionImpl {
  return (input) => {
    if (input.vals.length === 0) return single(f(new Date(Math.trunc(input.ts / 1000) * 1000)));
    return vectorArg(input, 0).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: f(new Date(Math.trunc(s.v) * 1000)),
    }));
  };
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

export const DATE_FUNCTIONS: Record<string, FunctionImpl> = {
  day_of_month: dateFunction((d) => d.getUTCDate()),
  day_of_week: dateFunction((d) => d.getUTCDay()),
  day_of_year: dateFunction(dayOfYear),
  days_in_month: dateFunction((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  hour: dateFunction((d) => d.getUTCHours()),
  minute: dateFunction((d) => d.getUTCMinutes()),
  month: dateFunction((d) => d.getUTCMonth() + 1),
  year: dateFunction((d) => d.getUTCFullYear()),
};
