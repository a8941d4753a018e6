import { durationMs } from '@telemetryflow/contract/alerting';
import {
  syncMonitorIncidents,
  type LeasedMonitor,
  type MonitorCheckRecord,
  type MonitorRunStore,
} from '@telemetryflow/alerting';
import type { CheckContext } from './check-context.js';
import type { CheckResult } from './check-result.js';
import { isRetrying, nextMonitorState, type MonitorState } from './monitor-state.js';
import { heartbeatResult, runCheck } from './run-check.js';
import { nextRunMs } from './schedule.js';

export interface MonitorSchedulerConfig {
  runs: Pick<MonitorRunStore, 'claimDue' | 'commit' | 'release'>;
  context: CheckContext;
  /** Stamped on every result (PROBE_LOCATION). */
  location: string;
  /** Unique per process: the lease holder. */
  replicaId: string;
  /** Where results go once their state is committed: the bus, or the in-process writer. */
  publish: (records: MonitorCheckRecord[]) => Promise<void>;
  /** Checks running at once (default 100); no more are claimed while they run. */
  concurrency?: number;
  /** How often due monitors are looked for (default 250 ms, each wait jittered by ±25 %). */
  pollMs?: number;
  now?: () => number;
  /** Every claim's lateness (ms): how long after its slot a check started. */
  onClaim?: (lateMs: number) => void;
  log?: (msg: string) => void;
}

/** How soon a check that could not run at all is tried again. */
const RELEASE_RETRY_MS = 10_000;

/**
 * Runs due checks on leases (ADR 0020): every replica polls Postgres for due monitors and
 * claims some with FOR UPDATE SKIP LOCKED, so each check runs on one replica once per slot;
 * the state after the check and the next slot are committed under the lease, and only
 * then is the result published, so a check whose lease was lost leaves no result behind.
 */
export class MonitorScheduler {
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly log: (msg: string) => void;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly cfg: MonitorSchedulerConfig) {
    this.now = cfg.now ?? Date.now;
    this.concurrency = cfg.concurrency ?? 100;
    this.log = cfg.log ?? (() => {});
  }

  /** Claims due monitors (as many as there is room for) and starts their checks; resolves with how many. */
  async tick(): Promise<number> {
    const claimed = await this.cfg.runs.claimDue(this.cfg.replicaId, this.concurrency - this.inFlight.size);
    for (const m of claimed) {
      this.cfg.onClaim?.(m.lateSeconds * 1000);
      const run = this.run(m)
        .catch(async (err: unknown) => {
          this.log(`monitor ${m.id}: check not run: ${err instanceof Error ? err.message : String(err)}`);
          await this.cfg.runs.release(m.id, this.cfg.replicaId, RELEASE_RETRY_MS);
        })
        .catch((err: unknown) => this.log(`monitor ${m.id}: lease not released: ${String(err)}`))
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
    return claimed.length;
  }

  /** Resolves once every check started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  start(): void {
    const pollMs = this.cfg.pollMs ?? 250;
    const loop = () => {
      this.ticking = this.tick()
        .catch((err: unknown) => this.log(`monitor scheduler: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, pollMs * (0.75 + Math.random() * 0.5));
        });
    };
    loop();
  }

  /** Stops claiming and waits for the running checks (each ends within its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.idle();
  }

  private async run(m: LeasedMonitor): Promise<void> {
    const { config } = m;
    const atMs = this.now();
    const intervalMs = durationMs(config.interval);
    const stamp = { monitorId: m.id, location: this.cfg.location, atMs };
    const result: CheckResult | null =
      config.check.kind === 'heartbeat'
        ? heartbeatResult(config.check, intervalMs, m.lastBeat ? [m.lastBeat] : [], m.statusSinceMs, stamp)
        : await runCheck(config.check, this.cfg.context, { ...stamp, timeoutMs: durationMs(config.timeout) });
    const prev: MonitorState = {
      status: m.status,
      consecutiveFailures: m.consecutiveFailures,
      sinceMs: m.statusSinceMs,
    };
    const { state, changed } = result
      ? nextMonitorState(prev, { up: result.up, atMs }, config.retries)
      : { state: prev, changed: false };
    const retryIntervalMs = isRetrying(state) ? durationMs(config.retryInterval ?? config.interval) : null;
    const nextDueMs = nextRunMs({ id: m.id, intervalMs, retryIntervalMs, lastRunMs: atMs }, atMs);
    const committed = await this.cfg.runs.commit(
      m.id,
      this.cfg.replicaId,
      {
        lastRunMs: atMs,
        nextDueMs,
        status: state.status,
        consecutiveFailures: state.consecutiveFailures,
        statusSinceMs: state.sinceMs,
      },
      changed && state.status !== 'pending'
        ? (em) => syncMonitorIncidents(em, m.tenantId, m.id, state.status === 'down', atMs)
        : undefined,
    );
    if (!committed) {
      this.log(`monitor ${m.id}: lease lost during the check; its result is dropped`);
      return;
    }
    if (result === null) return;
    try {
      await this.cfg.publish([{ ...result, tenantId: m.tenantId }]);
    } catch (err) {
      this.log(`monitor ${m.id}: result not published: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
