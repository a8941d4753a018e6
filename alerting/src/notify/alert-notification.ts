import { createHash } from 'node:crypto';
import type { Severity } from '@telemetryflow/schemas';

/** What every channel renders: one alert instance firing or resolved (or a test message). */
export interface AlertNotification {
  kind: 'firing' | 'resolved' | 'test';
  ruleId: string;
  ruleName: string;
  severity: Severity;
  groupKey: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  /** RFC 3339: when the alert fired. */
  startsAt: string;
  /** RFC 3339: when it resolved; null while firing. */
  endsAt: string | null;
  /** Stable per tenant, rule and group: PagerDuty's dedup_key, the webhook's alert id. */
  fingerprint: string;
  /** The alert in the console, when TF_CONSOLE_URL is set. */
  url: string | null;
}

/** Hex sha256 of tenant, rule and group (NUL-separated, so no two inputs collide). */
export function alertFingerprint(tenant: string, ruleId: string, groupKey: string): string {
  return createHash('sha256').update(`${tenant}\0${ruleId}\0${groupKey}`).digest('hex').slice(0, 32);
}
