import { rootCertificates } from 'node:tls';
import type { AddressGuard, Resolve } from '@telemetryflow/alerting';

/** What every check needs from the process that runs it. */
export interface CheckContext {
  /** Refuses private, loopback, link-local and reserved targets unless allow-listed. */
  guard: AddressGuard;
  /** A name's addresses (default: the system's resolver); every one of them passes the guard. */
  resolve?: Resolve;
  /** The DNS servers (`ip` or `ip:port`) a DNS check asks when its monitor names none (default: the system's). */
  dnsServers?: readonly string[];
  /** Certificates trusted besides the system's (PEM): a private CA, or a test's own. */
  extraCa?: readonly string[];
  /** Where failures are told in detail (codes, socket messages): the log, never the result. */
  log?: (msg: string) => void;
}

/** The CA list for a TLS socket: undefined (the system's) unless extra ones are trusted too. */
export function trustedCa(ctx: CheckContext): string[] | undefined {
  return ctx.extraCa && ctx.extraCa.length > 0 ? [...rootCertificates, ...ctx.extraCa] : undefined;
}
