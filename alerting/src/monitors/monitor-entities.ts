import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MonitorInput } from '@telemetryflow/contract/monitors';

/** A monitor as its owner configured it; a heartbeat monitor has the token its jobs push to. */
@Entity({ name: 'monitors' })
export class MonitorEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** False while paused. */
  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'jsonb' })
  config!: MonitorInput;

  @Column({ name: 'heartbeat_token', type: 'text', nullable: true })
  heartbeatToken!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Who checks a monitor and when, and what the checks found so far: a probe replica takes the
 * lease (holder, until) of a due monitor, checks it, and writes the state and the next due
 * time only while it still holds the lease (ADR 0020).
 */
@Entity({ name: 'monitor_runs' })
export class MonitorRunEntity {
  @PrimaryColumn({ name: 'monitor_id', type: 'uuid' })
  monitorId!: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text', nullable: true })
  holder!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** How long a lease lasts: the monitor's timeout and a margin for writing its result. */
  @Column({ name: 'lease_ms', type: 'integer' })
  leaseMs!: number;

  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt!: Date | null;

  @Column({ type: 'text' })
  status!: 'pending' | 'up' | 'down';

  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures!: number;

  @Column({ name: 'status_since', type: 'timestamptz' })
  statusSince!: Date;

  @Column({ name: 'last_beat_at', type: 'timestamptz', nullable: true })
  lastBeatAt!: Date | null;

  @Column({ name: 'last_beat_ok', type: 'boolean', nullable: true })
  lastBeatOk!: boolean | null;
}

export const MONITOR_ENTITIES = [MonitorEntity, MonitorRunEntity];
