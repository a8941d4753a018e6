import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { assertLiteralAllowed, guardedLookup } from '@telemetryflow/alerting';
import { certificateExpiryMs, expiryFailure } from '../certificate-expiry.js';
import { trustedCa, type CheckContext } from '../check-context.js';
import type { CheckOutcome } from '../check-result.js';
import type { TlsCheck } from '@telemetryflow/contract/monitors';
import { whenSocketReady } from '../socket-ready.js';

/** Up when the TLS handshake succeeds (with a trusted certificate, unless told to ignore that) and the certificate has `minDaysLeft`. */
export async function runTlsCheck(spec: TlsCheck, ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome> {
  assertLiteralAllowed(ctx.guard, spec.host);
  const host = spec.host.replace(/^\[|\]$/g, '');
  const started = performance.now();
  const socket = connect({
    host,
    port: spec.port,
    servername: spec.servername ?? (isIP(host) === 0 ? host : undefined),
    lookup: guardedLookup(ctx.guard, ctx.resolve),
    rejectUnauthorized: !spec.ignoreTlsErrors,
    ca: trustedCa(ctx),
  });
  const cert = await whenSocketReady(socket, 'secureConnect', signal, () => socket.getPeerCertificate());
  const latencyMs = performance.now() - started;
  const expiresAtMs = certificateExpiryMs(cert);
  if (expiresAtMs === null) return { up: false, latencyMs, error: 'the server sent no readable certificate' };
  const failure = expiryFailure(expiresAtMs, Date.now(), spec.minDaysLeft);
  return {
    up: failure === null,
    latencyMs,
    certificateExpiresAt: new Date(expiresAtMs).toISOString(),
    ...(failure ? { error: failure } : {}),
  };
}
