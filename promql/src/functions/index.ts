import { DATE_FUNCTIONS } from './date.js';
import { HISTOGRAM_FUNCTIONS } from './histogram.js';
import { LABEL_FUNCTIONS } from './labels.js';
import { MATH_FUNCTIONS } from './math.js';
import { OVER_TIME_FUNCTIONS } from './over-time.js';
import { RATE_FUNCTIONS } from './rate.js';
import type { FunctionImpl } from './types.js';
import { absent } from './absent.js';

export type { FunctionImpl, FunctionInput } from './types.js';

/** Every function of Prometheus 2.42 by name. */
export const FUNCTION_IMPLS: Readonly<Record<string, FunctionImpl>> = {
  ...MATH_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...LABEL_FUNCTIONS,
  ...RATE_FUNCTIONS,
  ...OVER_TIME_FUNCTIONS,
  ...HISTOGRAM_FUNCTIONS,
  absent,
};
