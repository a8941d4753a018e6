import type { AlertRuleInput } from '@telemetryflow/contract';
import type { MonitorDto, MonitorInput, MonitorStatusName } from '@telemetryflow/contract/monitors';
import type { TimeWindow } from '../time/time-range.js';
import { formatInstant } from '../time/time-zone.js';

const DAY_MS = 86_400_000;

/** Tag colours of monitor states. */
export const STATE_TAG: Record<MonitorStatusName, 'success' | 'error' | 'warning' | 'default'> = {
  up: 'success',
  down: 'error',
  pending: 'warning',
  paused: 'default',
};

/** Worst first, so what needs attention leads the list. */
const STATE_RANK: Record<MonitorStatusName, number> = { down: 0, pending: 1, up: 2, paused: 3 };

export function byState(a: MonitorDto, b: MonitorDto): number {
  return STATE_RANK[a.status] - STATE_RANK[b.status] || a.name.localeCompare(b.name);
}

/** What a monitor checks, in one line: `GET https://…`, `db.internal:5432`, `MX example.com @1.1.1.1`. */
export function monitorTarget(config: MonitorInput): string {
  const c = config.check;
  switch (c.kind) {
    case 'http':
      return `${c.method} ${c.url}`;
    case 'tcp':
      return `${c.host}:${c.port}`;
    case 'dns':
      return `${c.recordType} ${c.name}${c.resolver ? ` @${c.resolver}` : ''}`;
    case 'tls':
      return `${c.servername && c.servername !== c.host ? `${c.servername} at ` : ''}${c.host}:${c.port}`;
    case 'heartbeat':
      return `push, grace ${c.grace}`;
  }
}

/** The URL a job calls; the API gives the token or the path `/api/v1/heartbeats/{token}`. */
export function heartbeatUrl(origin: string, token: string): string {
  return token.startsWith('/') ? `${origin}${token}` : `${origin}/api/v1/heartbeats/${encodeURIComponent(token)}`;
}

/** Whole days from now until the certificate expires (negative once expired). */
export function certificateDaysLeft(expiresAt: string, nowMs: number): number {
  return Math.floor((Date.parse(expiresAt) - nowMs) / DAY_MS);
}

/** `2027-01-03 (27 days left)` in local time; `expired 2 days ago` after it. */
export function formatCertificate(expiresAt: string | null, nowMs: number): string {
  if (expiresAt === null) return '–';
  const d = new Date(expiresAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const days = certificateDaysLeft(expiresAt, nowMs);
  if (days < 0) return `${date} (expired ${-days} day${days === -1 ? '' : 's'} ago)`;
  return `${date} (${days} day${days === 1 ? '' : 's'} left)`;
}

/** How long ago, coarsely: `12s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function formatAgo(time: string, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - Date.parse(time)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** Seconds as the API's duration syntax in its largest whole unit: `30s`, `5m`, `1h`, `7d`. */
export function durationText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

// Steps a chart's buckets snap to; whole hours and days read the API's rollups.
const STEPS_S = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
/** Raw check results are kept this long; older ranges need whole-hour buckets (the rollups). */
const RAW_DAYS = 30;

/** A bucket width giving about `points` buckets over the window (at least 10 s, the shortest interval). */
export function chartStepSeconds(window: TimeWindow, points: number, nowMs: number): number {
  const wanted = (window.to - window.from) / 1000 / points;
  let step = STEPS_S.find((s) => s >= wanted) ?? Math.ceil(wanted / 86_400) * 86_400;
  if (window.from < nowMs - RAW_DAYS * DAY_MS && step % 3600 !== 0) step = Math.ceil(step / 3600) * 3600;
  return step;
}

/** Uptime bars: one per hour over short ranges, one per (UTC) day over ranges longer than a week. */
export function uptimeBarStepSeconds(window: TimeWindow): number {
  return window.to - window.from > 7 * DAY_MS ? 86_400 : 3600;
}

/** A check's start as a date-time with seconds in the console's time zone: `2026-12-07 14:03:21`. */
export function formatCheckTime(time: string): string {
  return formatInstant(time);
}

/** What a monitor alert rule fires on, in words: `down for 1m`, `p95 response time above 800 ms over 5m`. */
export function monitorRuleSummary(rule: Pick<AlertRuleInput, 'condition' | 'for'>): string {
  const c = rule.condition;
  if (c.kind !== 'monitor') return c.kind;
  if (c.check === 'down') return `down for ${rule.for}`;
  const t = c.threshold;
  const value = !t ? '' : t.op === 'outside' ? `outside ${t.min}–${t.max}` : `${t.op} ${t.value}`;
  return c.check === 'latencyP95' ? `p95 response time ${value} ms over ${c.window}` : `certificate days left ${value}`;
}
