import { failureDetail, failureMessage } from './check-errors.js';
import type { CheckContext } from './check-context.js';
import type { CheckOutcome, CheckResult } from './check-result.js';
import { runDnsCheck } from './checks/dns-check.js';
import { runHttpCheck } from './checks/http-check.js';
import { runTcpCheck } from './checks/tcp-check.js';
import { runTlsCheck } from './checks/tls-check.js';
import { heartbeatState, type Beat } from './heartbeat-state.js';
import type { CheckSpec, HeartbeatCheck } from '@telemetryflow/contract/monitors';
import { durationMs } from '@telemetryflow/contract/alerting';

/** The checks a probe runs itself (a heartbeat is pushed to it). */
export type ActiveCheck = Exclude<CheckSpec, HeartbeatCheck>;

export interface CheckRun {
  monitorId: string;
  location: string;
  timeoutMs: number;
  /** When the check starts (the scheduler's clock). */
  atMs: number;
}

function stamp(run: CheckRun, kind: CheckSpec['kind'], outcome: CheckOutcome): CheckResult {
  return { time: new Date(run.atMs).toISOString(), monitorId: run.monitorId, location: run.location, kind, ...outcome };
}

/** Runs one check within its timeout; a failure of any kind is a result (down, with a safe message), never a throw. */
export async function runCheck(spec: ActiveCheck, ctx: CheckContext, run: CheckRun): Promise<CheckResult> {
  const signal = AbortSignal.timeout(run.timeoutMs);
  const started = performance.now();
  try {
    const outcome = await (spec.kind === 'http'
      ? runHttpCheck(spec, ctx, signal)
      : spec.kind === 'tcp'
        ? runTcpCheck(spec, ctx, signal)
        : spec.kind === 'tls'
          ? runTlsCheck(spec, ctx, signal)
          : runDnsCheck(spec, ctx, signal, run.timeoutMs));
    return stamp(run, spec.kind, outcome);
  } catch (err) {
    ctx.log?.(`monitor ${run.monitorId}: ${spec.kind} check failed: ${failureDetail(err)}`);
    const error = signal.aborted ? failureMessage(signal.reason, run.timeoutMs) : failureMessage(err, run.timeoutMs);
    return stamp(run, spec.kind, { up: false, latencyMs: performance.now() - started, error });
  }
}

/** A push monitor's result at `run.atMs` from the beats it received (late is still up); null while it waits for its first beat. */
export function heartbeatResult(
  spec: HeartbeatCheck,
  intervalMs: number,
  beats: readonly Beat[],
  sinceMs: number,
  run: Omit<CheckRun, 'timeoutMs'>,
): CheckResult | null {
  const v = heartbeatState({ beats, intervalMs, graceMs: durationMs(spec.grace), sinceMs, nowMs: run.atMs });
  const latencyMs = 0;
  if (v.state === 'pending') return null;
  if (v.state !== 'down') return stamp({ ...run, timeoutMs: 0 }, 'heartbeat', { up: true, latencyMs });
  const error =
    v.lastBeatMs === null
      ? 'no heartbeat received yet'
      : beats.find((b) => b.atMs === v.lastBeatMs)?.ok === false
        ? 'the job reported a failure'
        : `no heartbeat since ${new Date(v.lastBeatMs).toISOString()}`;
  return stamp({ ...run, timeoutMs: 0 }, 'heartbeat', { up: false, latencyMs, error });
}
