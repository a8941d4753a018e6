// The API's time parameters: RFC 3339 or epoch milliseconds in, nanoseconds out; ranges
// bounded by a named limit. Each refusal is a 400 that names the parameter.
import { ApiError } from './api-error.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const NS_PER_MS = 1_000_000n;

/**
 * A time given as RFC 3339 (any fraction up to nanoseconds, `Z` or an offset) or as
 * epoch milliseconds, to nanoseconds since the epoch. Undefined for anything else.
 */
export function parseTimeNs(value: string | number): bigint | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) * NS_PER_MS : undefined;
  }
  const s = value.trim();
  if (/^\d{1,15}$/.test(s)) return BigInt(s) * NS_PER_MS;
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Every field must exist on the calendar and clock (whatever the offset form); Date
  // would roll 02-31 over to March. Leap seconds (:60) are not accepted.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  // (Date.UTC maps years 0..99 to 1900..1999: before the epoch either way.)
  if (Number.isNaN(ms) || ms < 0) return undefined;
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
  return BigInt(ms) * NS_PER_MS + fraction;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** 400 naming `from` and the limit when a range is longer than `maxDays`. */
export function assertRangeWithin(
  range: { fromNs: bigint; toNs: bigint },
  maxDays: number,
  limit: 'maxSearchRangeDays' | 'maxRangeDays',
): void {
  if (range.toNs - range.fromNs > BigInt(maxDays) * 86_400_000_000_000n) {
    throw new ApiError(400, 'invalid_parameter', `from: the range may span at most ${maxDays} days (${limit})`, {
      parameter: 'from',
      limit,
      value: maxDays,
    });
  }
}
