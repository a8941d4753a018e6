import type { ComponentStatus, UptimeDayDto } from '@telemetryflow/contract';
import type { UptimeBucketDto } from '@telemetryflow/contract/monitors';

const DAY_MINUTES = 1440;

/** A day's bar from its share of up checks: a day without checks is no data, never uptime. */
export function dayStatus(up: number | null): ComponentStatus | 'none' {
  if (up === null) return 'none';
  if (up >= 1) return 'operational';
  if (up >= 0.99) return 'degraded';
  if (up >= 0.9) return 'partial_outage';
  return 'major_outage';
}

/** Daily uptime buckets of a monitor as a status page's bars (UTC days, oldest first). */
export function monitorUptimeDays(buckets: readonly UptimeBucketDto[]): UptimeDayDto[] {
  return buckets.map((b) => ({
    date: b.start.slice(0, 10),
    status: dayStatus(b.up),
    outageMinutes: b.up === null ? 0 : Math.round((1 - b.up) * DAY_MINUTES),
    uptimePercent: b.up === null ? null : Math.round(b.up * 100_000) / 1000,
  }));
}
