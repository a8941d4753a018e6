import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved searches of each tenant, one name per signal. Immutable once released: add a new migration instead. */
export class SavedSearches1766000000000 implements MigrationInterface {
  name = 'SavedSearches1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE saved_searches (
      id         uuid PRIMARY KEY,
      tenant_id  text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      signal     text NOT NULL,
      name       text NOT NULL,
      filters    jsonb NOT NULL,
      range      text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text
    )`);
    await q.query(
      'CREATE UNIQUE INDEX saved_searches_tenant_signal_name_key ON saved_searches (tenant_id, signal, name)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE saved_searches');
  }
}
