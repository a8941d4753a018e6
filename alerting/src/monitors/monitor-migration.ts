import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Uptime monitors, their runs (lease, state, beats), and status-page components and incidents bound to them. Immutable once released. */
export class Monitors1765150000000 implements MigrationInterface {
  name = 'Monitors1765150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE monitors (
      id              uuid PRIMARY KEY,
      tenant_id       text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name            text NOT NULL,
      enabled         boolean NOT NULL,
      config          jsonb NOT NULL,
      heartbeat_token text UNIQUE,
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT monitors_tenant_name UNIQUE (tenant_id, name)
    )`);
    await q.query(`CREATE TABLE monitor_runs (
      monitor_id           uuid PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
      due_at               timestamptz NOT NULL DEFAULT now(),
      holder               text,
      lease_until          timestamptz,
      last_run_at          timestamptz,
      status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'up', 'down')),
      consecutive_failures integer NOT NULL DEFAULT 0,
      status_since         timestamptz NOT NULL DEFAULT now(),
      last_beat_at         timestamptz,
      last_beat_ok         boolean,
      lease_ms             integer NOT NULL
    )`);
    await q.query('CREATE INDEX monitor_runs_due ON monitor_runs (due_at)');
    await q.query(
      'ALTER TABLE status_components ADD COLUMN monitor_id uuid REFERENCES monitors(id) ON DELETE SET NULL',
    );
    await q.query(
      'CREATE INDEX status_components_monitor ON status_components (monitor_id) WHERE monitor_id IS NOT NULL',
    );
    await q.query('ALTER TABLE status_incidents ADD COLUMN monitor_id uuid');
    await q.query(
      `CREATE UNIQUE INDEX status_incidents_open_monitor ON status_incidents (component_id, monitor_id) WHERE monitor_id IS NOT NULL AND resolved_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX status_incidents_open_monitor');
    await q.query('ALTER TABLE status_incidents DROP COLUMN monitor_id');
    await q.query('ALTER TABLE status_components DROP COLUMN monitor_id');
    await q.query('DROP TABLE monitor_runs');
    await q.query('DROP TABLE monitors');
  }
}
