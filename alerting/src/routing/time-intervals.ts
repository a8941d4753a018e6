// Alertmanager's time intervals (mute_time_intervals / active_time_intervals): times,
// weekdays, days of month, months and years, in a location. Within each given field one
// range must match; an omitted field matches anything; all fields must match.
import { z } from 'zod';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** `HH:MM` from 00:00 to 24:00. */
const CLOCK = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

export const TimeRangeSchema = z
  .object({
    startTime: z.string().regex(CLOCK, 'a time HH:MM from 00:00 to 24:00'),
    endTime: z.string().regex(CLOCK, 'a time HH:MM from 00:00 to 24:00'),
  })
  .refine(
    (t) => minuteOfDay(t.startTime) < minuteOfDay(t.endTime),
    'start time cannot be equal or greater than end time',
  );

/** One `time_interval_spec`: every field a list of ranges such as `monday:friday`, `1:5`, `-3:-1`, `may:august`, `2020:2022`. */
export const TimeIntervalSpecSchema = z
  .object({
    times: z.array(TimeRangeSchema).max(50).optional(),
    weekdays: z.array(z.string().max(30)).max(50).optional(),
    daysOfMonth: z.array(z.string().max(30)).max(50).optional(),
    months: z.array(z.string().max(30)).max(50).optional(),
    years: z.array(z.string().max(30)).max(50).optional(),
    /** An IANA time zone (`Australia/Sydney`), `UTC` (the default) or `Local`. */
    location: z.string().max(100).optional(),
  })
  .superRefine((spec, ctx) => {
    try {
      compileTimeInterval(spec);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });
export type TimeIntervalSpec = z.infer<typeof TimeIntervalSpecSchema>;

/** A named list of specs, referenced by routes: the time is in the interval when it is in any spec. */
export const NamedTimeIntervalSchema = z.object({
  name: z.string().min(1).max(200),
  timeIntervals: z.array(TimeIntervalSpecSchema).max(50),
});
export type NamedTimeInterval = z.infer<typeof NamedTimeIntervalSchema>;

type Range = [number, number];

export interface CompiledTimeInterval {
  /** Minutes of the day, end exclusive. */
  times: Range[] | null;
  /** 0 = Sunday. */
  weekdays: Range[] | null;
  /** May be negative: -1 is the month's last day. */
  daysOfMonth: Range[] | null;
  months: Range[] | null;
  years: Range[] | null;
  /** An IANA zone, or undefined for the machine's (Local). */
  timeZone: string | undefined;
}

function minuteOfDay(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/** `a:b` or `a` (case-insensitive) → [begin, end] through `member`. */
function parseRange(text: string, member: (s: string) => number): Range {
  const lower = text.toLowerCase();
  const parts = lower.split(':');
  if (parts.length > 2) throw new Error(`couldn't parse range ${text}, invalid format`);
  const begin = member(parts[0]!);
  return [begin, parts.length === 2 ? member(parts[1]!) : begin];
}

function integer(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`${s} is not a number`);
  return Number(s);
}

function weekdayRange(text: string): Range {
  const r = parseRange(text, (s) => {
    const i = WEEKDAYS.indexOf(s);
    if (i < 0) throw new Error(`${s} is not a valid weekday`);
    return i;
  });
  if (r[0] > r[1]) throw new Error('start day cannot be before end day');
  return r;
}

function dayOfMonthRange(text: string): Range {
  const r = parseRange(text, integer);
  for (const d of r)
    if (d === 0 || d < -31 || d > 31) throw new Error(`${d} is not a valid day of the month: out of range`);
  if (r[0] < 0 && r[1] > 0) throw new Error('end day must be negative if start day is negative');
  const check = r.map((d) => (d < 0 ? 28 + d : d));
  if (check[0]! > check[1]!) throw new Error(`end day ${r[1]} is always before start day ${r[0]}`);
  return r;
}

function monthRange(text: string): Range {
  const r = parseRange(text, (s) => {
    const i = MONTHS.indexOf(s);
    if (i >= 0) return i + 1;
    const n = Number.parseInt(s, 10);
    if (!/^\d+$/.test(s) || n < 1 || n > 12) throw new Error(`${s} is not a valid month`);
    return n;
  });
  if (r[0] > r[1]) throw new Error(`end month ${MONTHS[r[1] - 1]} is before start month ${MONTHS[r[0] - 1]}`);
  return r;
}

function yearRange(text: string): Range {
  const r = parseRange(text, integer);
  if (r[0] > r[1]) throw new Error(`end year ${r[1]} is before start year ${r[0]}`);
  return r;
}

function timeZoneOf(location: string | undefined): string | undefined {
  if (location === undefined || location === 'UTC') return 'UTC';
  if (location === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: location });
  } catch {
    throw new Error(`unknown time zone ${location}`);
  }
  return location;
}

export function compileTimeInterval(spec: TimeIntervalSpec): CompiledTimeInterval {
  return {
    times: spec.times?.map((t) => [minuteOfDay(t.startTime), minuteOfDay(t.endTime)]) ?? null,
    weekdays: spec.weekdays?.map(weekdayRange) ?? null,
    daysOfMonth: spec.daysOfMonth?.map(dayOfMonthRange) ?? null,
    months: spec.months?.map(monthRange) ?? null,
    years: spec.years?.map(yearRange) ?? null,
    timeZone: timeZoneOf(spec.location),
  };
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
}

const formatters = new Map<string | undefined, Intl.DateTimeFormat>();

/** The calendar date and time of day at `ms` in a zone. */
function wallClock(ms: number, timeZone: string | undefined): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'long',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase()),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const inAny = (ranges: Range[] | null, v: number) => ranges === null || ranges.some(([b, e]) => v >= b && v <= e);

/** Alertmanager's ContainsTime: whether `ms` lies in the interval. */
export function intervalContains(ti: CompiledTimeInterval, ms: number): boolean {
  const t = wallClock(ms, ti.timeZone);
  if (ti.times !== null && !ti.times.some(([start, end]) => t.minute >= start && t.minute < end)) return false;
  if (ti.daysOfMonth !== null) {
    const days = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
    const hit = ti.daysOfMonth.some(([b, e]) => {
      const begin = b < 0 ? days + b + 1 : b;
      const end = e < 0 ? days + e + 1 : e;
      if (begin > days) return false;
      const clamp = (n: number) => Math.min(Math.max(n, -days), days);
      return t.day >= clamp(begin) && t.day <= clamp(end);
    });
    if (!hit) return false;
  }
  return inAny(ti.months, t.month) && inAny(ti.weekdays, t.weekday) && inAny(ti.years, t.year);
}

/** Compiles named intervals; a route refers to them by name. */
export function compileNamedIntervals(named: readonly NamedTimeInterval[]): Map<string, CompiledTimeInterval[]> {
  return new Map(named.map((n) => [n.name, n.timeIntervals.map(compileTimeInterval)]));
}

/** The names among `names` whose intervals contain `ms` (a name that is not defined contains nothing). */
export function intervalsContaining(
  named: ReadonlyMap<string, CompiledTimeInterval[]>,
  names: readonly string[],
  ms: number,
): string[] {
  return names.filter((name) => (named.get(name) ?? []).some((ti) => intervalContains(ti, ms)));
}
