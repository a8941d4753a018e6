import { connect } from 'node:net';
import { assertLiteralAllowed, guardedLookup } from '@telemetryflow/alerting';
import type { CheckContext } from '../check-context.js';
import type { CheckOutcome } from '../check-result.js';
import type { TcpCheck } from '@telemetryflow/contract/monitors';
import { whenSocketReady } from '../socket-ready.js';

/** Up when a TCP connection to host:port is established; the latency is the connect time. */
export async function runTcpCheck(spec: TcpCheck, ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome> {
  assertLiteralAllowed(ctx.guard, spec.host);
  const started = performance.now();
  const socket = connect({
    host: spec.host.replace(/^\[|\]$/g, ''),
    port: spec.port,
    lookup: guardedLookup(ctx.guard, ctx.resolve),
  });
  await whenSocketReady(socket, 'connect', signal, () => undefined);
  return { up: true, latencyMs: performance.now() - started };
}
