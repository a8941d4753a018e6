import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MonitorRunStore, type AddressGuard, type MonitorCheckRecord } from '@telemetryflow/alerting';
import type { DataSource } from 'typeorm';
import type { CheckContext } from './check-context.js';
import { MonitorScheduler } from './monitor-scheduler.js';

export interface ProbeRoleConfig {
  dataSource: DataSource;
  guard: AddressGuard;
  /** PROBE_LOCATION: the `location` label of every result. */
  location: string;
  publish: (records: MonitorCheckRecord[]) => Promise<void>;
  concurrency?: number;
  pollMs?: number;
  /** Overrides of the check context (a test's resolver, DNS servers or CA). */
  context?: Omit<CheckContext, 'guard'>;
  onClaim?: (lateMs: number) => void;
  log: (msg: string) => void;
}

export interface ProbeRole {
  replicaId: string;
  scheduler: MonitorScheduler;
  stop(): Promise<void>;
}

/** The probe role: checks due monitors on leases shared with every other probe replica, and publishes the results. */
export function startProbeRole(cfg: ProbeRoleConfig): ProbeRole {
  const replicaId = `${hostname()}-${process.pid}-probe-${randomUUID().slice(0, 8)}`;
  const scheduler = new MonitorScheduler({
    runs: new MonitorRunStore(cfg.dataSource),
    context: { log: cfg.log, ...cfg.context, guard: cfg.guard },
    location: cfg.location,
    replicaId,
    publish: cfg.publish,
    log: cfg.log,
    ...(cfg.concurrency !== undefined ? { concurrency: cfg.concurrency } : {}),
    ...(cfg.pollMs !== undefined ? { pollMs: cfg.pollMs } : {}),
    ...(cfg.onClaim ? { onClaim: cfg.onClaim } : {}),
  });
  scheduler.start();
  return { replicaId, scheduler, stop: () => scheduler.stop() };
}
