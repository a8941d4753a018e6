import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log's outbox: the API writes each event here before it answers, a relay seals it
 * into the tenant's hash chain (`seq`, `prev_hash`, `hash`, under the chain head's row lock)
 * and moves it to ClickHouse `audit_events`, then deletes it. `audit_chain_heads` holds the
 * last sealed event of each tenant. See ADR 0022. Immutable once released: add a new migration instead.
 */
export class AuditOutbox1765900000000 implements MigrationInterface {
  name = 'AuditOutbox1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_outbox (
      id          uuid PRIMARY KEY,
      tenant_id   text NOT NULL,
      occurred_at timestamptz NOT NULL,
      event       jsonb NOT NULL,
      seq         bigint,
      prev_hash   text,
      hash        text
    )`);
    await q.query(`CREATE INDEX audit_outbox_unsealed_idx ON audit_outbox (occurred_at, id) WHERE seq IS NULL`);
    await q.query(`CREATE TABLE audit_chain_heads (
      tenant_id  text PRIMARY KEY,
      seq        bigint NOT NULL,
      hash       text NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_heads`);
    await q.query(`DROP TABLE audit_outbox`);
  }
}
