import type { CheckSpec } from '@telemetryflow/contract/monitors';

/** What one check found, before it is stamped with when, where and for which monitor. */
export interface CheckOutcome {
  up: boolean;
  /** Until the answer was complete (HTTP: the last response's body; TCP and TLS: the handshake; DNS: the answer). */
  latencyMs: number;
  /** The final HTTP response's status (after redirects). */
  statusCode?: number;
  /** Why it is down, worded for the monitor's owner: no resolved address, no socket detail. */
  error?: string;
  /** RFC 3339: when the server's TLS certificate expires (HTTPS and TLS checks). */
  certificateExpiresAt?: string;
}

/** One check of one monitor from one probe location: what the bus carries and ClickHouse stores. */
export interface CheckResult extends CheckOutcome {
  /** RFC 3339: when the check started. */
  time: string;
  monitorId: string;
  location: string;
  kind: CheckSpec['kind'];
}
