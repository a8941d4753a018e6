// Pure: retention defaults and the validation of `PUT /api/v1/retention` bodies.
import type { RetentionDaysDto, RetentionDto, RetentionSignalName } from '@telemetryflow/contract';
import { invalidParameter } from '@telemetryflow/http-kit';

export const RETENTION_SIGNALS: readonly RetentionSignalName[] = ['spans', 'logs', 'metrics'];
const FIELDS = ['rawDays', 'hourlyDays', 'dailyDays'] as const;

/** Must equal what migration 0002 allows: each resolution kept at least as long as the finer one. */
export const MAX_RETENTION_DAYS = 3650;
export const DEFAULT_RETENTION_DAYS: RetentionDaysDto = { rawDays: 15, hourlyDays: 90, dailyDays: 400 };

export function defaultRetention(): RetentionDto {
  return Object.fromEntries(RETENTION_SIGNALS.map((s) => [s, { ...DEFAULT_RETENTION_DAYS }])) as RetentionDto;
}

/**
 * The policy after applying a PUT body to `current`: any subset of signals and of their
 * fields, e.g. `{ "logs": { "rawDays": 7 } }`. 400 naming the field on bad input.
 */
export function applyRetentionUpdate(current: RetentionDto, body: unknown): RetentionDto {
  if (!isPlainObject(body))
    throw invalidParameter('body', 'must be a JSON object of signal → { rawDays?, hourlyDays?, dailyDays? }');
  const next: RetentionDto = structuredClone(current);
  for (const [signal, update] of Object.entries(body)) {
    if (!(RETENTION_SIGNALS as readonly string[]).includes(signal))
      throw invalidParameter(signal, `is not a signal; use ${RETENTION_SIGNALS.join(', ')}`);
    if (!isPlainObject(update)) throw invalidParameter(signal, 'must be an object of rawDays, hourlyDays, dailyDays');
    const days = next[signal as RetentionSignalName];
    for (const [field, value] of Object.entries(update)) {
      const name = `${signal}.${field}`;
      if (!(FIELDS as readonly string[]).includes(field))
        throw invalidParameter(name, `is not a retention field; use ${FIELDS.join(', ')}`);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RETENTION_DAYS) {
        throw invalidParameter(name, `must be an integer number of days from 1 to ${MAX_RETENTION_DAYS}`);
      }
      days[field as (typeof FIELDS)[number]] = value;
    }
    if (days.hourlyDays < days.rawDays)
      throw invalidParameter(`${signal}.hourlyDays`, `must be at least rawDays (${days.rawDays})`);
    if (days.dailyDays < days.hourlyDays)
      throw invalidParameter(`${signal}.dailyDays`, `must be at least hourlyDays (${days.hourlyDays})`);
  }
  return next;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
