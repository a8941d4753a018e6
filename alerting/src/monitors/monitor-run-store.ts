import type { DataSource, EntityManager } from 'typeorm';
import type { MonitorInput } from '@telemetryflow/contract/monitors';

/** A monitor a probe replica leased: what it needs to check it and to decide its next state. */
export interface LeasedMonitor {
  id: string;
  tenantId: string;
  config: MonitorInput;
  /** When it was due (ms); the check starts late by `now - dueAtMs`. */
  dueAtMs: number;
  lastRunMs: number | null;
  status: 'pending' | 'up' | 'down';
  consecutiveFailures: number;
  statusSinceMs: number;
  lastBeat: { atMs: number; ok: boolean } | null;
  /** Postgres's clock when the lease was taken, minus due_at (s). */
  lateSeconds: number;
}

/** What a check changed: written only while the lease is still held. */
export interface RunOutcome {
  lastRunMs: number;
  nextDueMs: number;
  status: 'pending' | 'up' | 'down';
  consecutiveFailures: number;
  statusSinceMs: number;
}

interface ClaimedRow {
  monitor_id: string;
  tenant_id: string;
  config: MonitorInput;
  due_ms: string;
  last_run_ms: string | null;
  status: 'pending' | 'up' | 'down';
  consecutive_failures: number;
  since_ms: string;
  beat_ms: string | null;
  last_beat_ok: boolean | null;
  late_seconds: string | number;
}

const ms = (v: string | null): number | null => (v === null ? null : Number(v));

/**
 * The leases of monitor checks in Postgres (ADR 0020): a replica claims due monitors with
 * FOR UPDATE SKIP LOCKED, so two replicas never claim the same one, and the claim lasts the
 * monitor's timeout plus a margin, so a replica that died mid-check delays one check only.
 */
export class MonitorRunStore {
  constructor(private readonly ds: DataSource) {}

  async claimDue(holder: string, limit: number): Promise<LeasedMonitor[]> {
    if (limit <= 0) return [];
    const [rows]: [ClaimedRow[], number] = await this.ds.query(
      `UPDATE monitor_runs r SET holder = $1, lease_until = now() + make_interval(secs => r.lease_ms::double precision / 1000)
       FROM monitors m
       WHERE m.id = r.monitor_id AND r.monitor_id IN (
         SELECT l.monitor_id FROM monitor_runs l JOIN monitors lm ON lm.id = l.monitor_id
         WHERE lm.enabled AND l.due_at <= now() AND (l.lease_until IS NULL OR l.lease_until < now())
         ORDER BY l.due_at LIMIT $2
         FOR UPDATE OF l SKIP LOCKED)
       RETURNING r.monitor_id, m.tenant_id, m.config,
         (extract(epoch FROM r.due_at) * 1000)::bigint AS due_ms,
         (extract(epoch FROM r.last_run_at) * 1000)::bigint AS last_run_ms,
         r.status, r.consecutive_failures,
         (extract(epoch FROM r.status_since) * 1000)::bigint AS since_ms,
         (extract(epoch FROM r.last_beat_at) * 1000)::bigint AS beat_ms, r.last_beat_ok,
         extract(epoch FROM now() - r.due_at) AS late_seconds`,
      [holder, limit],
    );
    return rows.map((r) => ({
      id: r.monitor_id,
      tenantId: r.tenant_id,
      config: r.config,
      dueAtMs: Number(r.due_ms),
      lastRunMs: ms(r.last_run_ms),
      status: r.status,
      consecutiveFailures: r.consecutive_failures,
      statusSinceMs: Number(r.since_ms),
      lastBeat: r.beat_ms === null ? null : { atMs: Number(r.beat_ms), ok: r.last_beat_ok !== false },
      lateSeconds: Math.max(0, Number(r.late_seconds)),
    }));
  }

  /**
   * Writes the outcome and frees the lease, in one transaction with `alsoWrite` (status-page
   * incidents), only while `holder` still holds it; false when the lease was lost (another
   * replica checks the monitor now, so this check's result must be dropped).
   */
  async commit(
    monitorId: string,
    holder: string,
    out: RunOutcome,
    alsoWrite?: (em: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const [, affected]: [unknown, number] = await em.query(
        `UPDATE monitor_runs SET holder = NULL, lease_until = NULL,
           last_run_at = to_timestamp($3::double precision / 1000), due_at = to_timestamp($4::double precision / 1000),
           status = $5, consecutive_failures = $6, status_since = to_timestamp($7::double precision / 1000)
         WHERE monitor_id = $1 AND holder = $2`,
        [monitorId, holder, out.lastRunMs, out.nextDueMs, out.status, out.consecutiveFailures, out.statusSinceMs],
      );
      if (affected !== 1) return false;
      if (alsoWrite) await alsoWrite(em);
      return true;
    });
  }

  /** Gives a lease back without a result (the check could not run): due again after `retryMs`. */
  async release(monitorId: string, holder: string, retryMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE monitor_runs SET holder = NULL, lease_until = NULL, due_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE monitor_id = $1 AND holder = $2`,
      [monitorId, holder, retryMs],
    );
  }
}
