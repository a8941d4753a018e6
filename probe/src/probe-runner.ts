import { durationMs } from '@telemetryflow/contract/alerting';
import type { CheckContext } from './check-context.js';
import type { CheckResult } from './check-result.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { Beat } from './heartbeat-state.js';
import type { MonitorInput } from '@telemetryflow/contract/monitors';
import { initialMonitorState, isRetrying, nextMonitorState, type MonitorState } from './monitor-state.js';
import { heartbeatResult, runCheck } from './run-check.js';
import { dueMonitors, type ScheduleEntry } from './schedule.js';

export interface ProbeMonitor {
  id: string;
  monitor: MonitorInput;
}

export interface ProbeRunnerConfig {
  /** The monitors to run, read at every tick (the set may change between ticks). */
  monitors: () => readonly ProbeMonitor[];
  context: CheckContext;
  /** Stamped on every result, so probes in several places can be told apart. */
  location: string;
  /** Checks running at once (default 50). */
  concurrency?: number;
  now?: () => number;
  /** Beats a push monitor received; heartbeat monitors are skipped without it. */
  beats?: (monitorId: string) => readonly Beat[];
  /** Every result, with the monitor's state after it; `changed` when it went up or down. */
  onResult: (result: CheckResult, state: MonitorState, changed: boolean) => void;
  log?: (msg: string) => void;
}

interface Due extends ScheduleEntry {
  probe: ProbeMonitor;
}

/**
 * Runs due checks in this process: a monitor is checked at its slots (see schedule.ts), at
 * most `concurrency` at once, each within its timeout, never twice at the same time; its
 * up / down state follows its retries. (Which replica runs a monitor — leases — comes on top.)
 */
export class ProbeRunner {
  private readonly now: () => number;
  private readonly limit: ConcurrencyLimit;
  private readonly lastRunMs = new Map<string, number>();
  private readonly states = new Map<string, MonitorState>();
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly cfg: ProbeRunnerConfig) {
    this.now = cfg.now ?? Date.now;
    this.limit = new ConcurrencyLimit(cfg.concurrency ?? 50);
  }

  /** The state of a monitor, once it was checked. */
  state(monitorId: string): MonitorState | undefined {
    return this.states.get(monitorId);
  }

  /** Starts every due check that is not running yet; resolves with their results once they have finished. */
  tick(): Promise<CheckResult[]> {
    const nowMs = this.now();
    const monitors = this.cfg.monitors();
    this.forgetRemoved(monitors);
    const entries: Due[] = monitors
      .filter((p) => !this.running.has(p.id) && (p.monitor.check.kind !== 'heartbeat' || this.cfg.beats !== undefined))
      .map((probe) => {
        const { monitor } = probe;
        const state = this.states.get(probe.id);
        return {
          id: probe.id,
          probe,
          intervalMs: durationMs(monitor.interval),
          lastRunMs: this.lastRunMs.get(probe.id) ?? null,
          retryIntervalMs: state && isRetrying(state) ? durationMs(monitor.retryInterval ?? monitor.interval) : null,
        };
      });
    const started = dueMonitors(entries, nowMs).map((due) => {
      this.running.add(due.id);
      this.lastRunMs.set(due.id, nowMs);
      const done = this.limit.run(() => this.check(due.probe)).finally(() => this.running.delete(due.id));
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done)).catch(() => {});
      return done;
    });
    return Promise.all(started).then((results) => results.filter((r): r is CheckResult => r !== null));
  }

  /** Ticks every `periodMs` until stopped; a tick never waits for the checks of the one before. */
  start(periodMs = 1000): void {
    const loop = () => {
      this.tick().catch((err: unknown) =>
        this.cfg.log?.(`probe runner: ${err instanceof Error ? err.message : String(err)}`),
      );
      this.timer = setTimeout(loop, periodMs);
    };
    loop();
  }

  /** Stops ticking and waits for the running checks (each ends within its timeout). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private async check(probe: ProbeMonitor): Promise<CheckResult | null> {
    const { monitor } = probe;
    const run = { monitorId: probe.id, location: this.cfg.location, atMs: this.now() };
    const result =
      monitor.check.kind === 'heartbeat'
        ? heartbeatResult(
            monitor.check,
            durationMs(monitor.interval),
            this.cfg.beats!(probe.id),
            this.states.get(probe.id)?.sinceMs ?? run.atMs,
            run,
          )
        : await runCheck(monitor.check, this.cfg.context, { ...run, timeoutMs: durationMs(monitor.timeout) });
    if (result === null) {
      if (!this.states.has(probe.id)) this.states.set(probe.id, initialMonitorState(run.atMs));
      return null;
    }
    const prev = this.states.get(probe.id) ?? initialMonitorState(run.atMs);
    const { state, changed } = nextMonitorState(prev, { up: result.up, atMs: run.atMs }, monitor.retries);
    this.states.set(probe.id, state);
    try {
      this.cfg.onResult(result, state, changed);
    } catch (err) {
      this.cfg.log?.(
        `probe runner: a result of monitor ${probe.id} was not taken: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return result;
  }

  private forgetRemoved(monitors: readonly ProbeMonitor[]): void {
    const ids = new Set(monitors.map((m) => m.id));
    for (const id of this.lastRunMs.keys()) {
      if (!ids.has(id)) {
        this.lastRunMs.delete(id);
        this.states.delete(id);
      }
    }
  }
}
