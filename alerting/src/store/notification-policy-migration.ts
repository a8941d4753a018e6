import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification policies (one routing tree per tenant) with the routing state of their
 * alert groups and its lease; e-mail channels. Immutable once released.
 */
export class NotificationPolicies1765200000000 implements MigrationInterface {
  name = 'NotificationPolicies1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notification_policies (
      tenant_id   text PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      policy      jsonb NOT NULL,
      updated_by  text NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now(),
      state       jsonb NOT NULL DEFAULT '{"groups":[],"notified":[]}',
      due_at      timestamptz NOT NULL DEFAULT now(),
      holder      text,
      lease_until timestamptz
    )`);
    await q.query('CREATE INDEX notification_policies_due ON notification_policies (due_at)');
    await q.query('ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_type_check');
    await q.query(
      `ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_type_check CHECK (type IN ('slack', 'pagerduty', 'webhook', 'email'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_policies');
    await q.query('ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_type_check');
    await q.query(
      `ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_type_check CHECK (type IN ('slack', 'pagerduty', 'webhook'))`,
    );
  }
}
