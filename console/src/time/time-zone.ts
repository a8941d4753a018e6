import { ref } from 'vue';

/** The one time zone of every chart, list and page of the console: the browser's, or UTC. */
export type TimeZoneSetting = 'local' | 'utc';

const STORAGE_KEY = 'tf.timeZone';

function stored(): TimeZoneSetting {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

/** The user's choice (kept in this browser); reading it inside a computed re-renders on a change. */
export const timeZone = ref<TimeZoneSetting>(stored());

export function setTimeZone(zone: TimeZoneSetting): void {
  timeZone.value = zone;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, zone);
  } catch {
    // Private modes may refuse storage: the choice then lasts for this page.
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

function parts(ms: number, zone: TimeZoneSetting): Parts {
  const t = new Date(ms);
  return zone === 'utc'
    ? {
        y: t.getUTCFullYear(),
        mo: t.getUTCMonth() + 1,
        d: t.getUTCDate(),
        h: t.getUTCHours(),
        mi: t.getUTCMinutes(),
        s: t.getUTCSeconds(),
        ms: t.getUTCMilliseconds(),
      }
    : {
        y: t.getFullYear(),
        mo: t.getMonth() + 1,
        d: t.getDate(),
        h: t.getHours(),
        mi: t.getMinutes(),
        s: t.getSeconds(),
        ms: t.getMilliseconds(),
      };
}

/**
 * Epoch milliseconds as 24-hour text in `zone`: `date` `2026-12-07 17:05:09`, `clock` `17:05`,
 * `seconds` `17:05:09`, `millis` `2026-12-07 17:05:09.123`, `day` `2026-12-07`. UTC ends in `Z`
 * where a time is shown, so a screenshot says which zone it is in.
 */
export function formatTime(
  ms: number,
  style: 'date' | 'clock' | 'seconds' | 'millis' | 'day' = 'date',
  zone: TimeZoneSetting = timeZone.value,
): string {
  if (!Number.isFinite(ms)) return '–';
  const p = parts(ms, zone);
  const day = `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
  const z = zone === 'utc' ? 'Z' : '';
  switch (style) {
    case 'day':
      return day;
    case 'clock':
      return `${pad(p.h)}:${pad(p.mi)}${z}`;
    case 'seconds':
      return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${z}`;
    case 'millis':
      return `${day} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}${z}`;
    default:
      return `${day} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${z}`;
  }
}

/** An ISO 8601 / RFC 3339 text or epoch ms as `formatTime` prints it; `–` for none. */
export function formatInstant(
  value: string | number | null | undefined,
  style: Parameters<typeof formatTime>[1] = 'date',
): string {
  if (value === null || value === undefined || value === '') return '–';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? formatTime(ms, style) : String(value);
}

/**
 * Naive UI's date picker shows and takes the browser's local time. In UTC its value is moved
 * by the local offset at that instant, so it shows UTC wall-clock time, and moved back when
 * picked.
 */
export function toPickerMs(ms: number, zone: TimeZoneSetting = timeZone.value): number {
  return zone === 'utc' ? ms + new Date(ms).getTimezoneOffset() * 60_000 : ms;
}

export function fromPickerMs(ms: number, zone: TimeZoneSetting = timeZone.value): number {
  if (zone !== 'utc') return ms;
  const guess = ms - new Date(ms).getTimezoneOffset() * 60_000;
  return ms - new Date(guess).getTimezoneOffset() * 60_000;
}
