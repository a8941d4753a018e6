import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dashboards and every saved version of each. Immutable once released: add a new migration instead. */
export class Dashboards1764300000000 implements MigrationInterface {
  name = 'Dashboards1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dashboards (
      id         uuid PRIMARY KEY,
      tenant_id  text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      title      text NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      definition jsonb NOT NULL,
      built_in   text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX dashboards_tenant_title_idx ON dashboards (tenant_id, title)');
    await q.query(
      'CREATE UNIQUE INDEX dashboards_tenant_built_in_key ON dashboards (tenant_id, built_in) WHERE built_in IS NOT NULL',
    );
    await q.query(`CREATE TABLE dashboard_versions (
      dashboard_id uuid NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
      version      integer NOT NULL,
      definition   jsonb NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      created_by   text,
      PRIMARY KEY (dashboard_id, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dashboard_versions');
    await q.query('DROP TABLE dashboards');
  }
}
