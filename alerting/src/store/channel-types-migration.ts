import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Microsoft Teams and Opsgenie channels. Immutable once released. */
export class TeamsOpsgenieChannels1765250000000 implements MigrationInterface {
  name = 'TeamsOpsgenieChannels1765250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_type_check');
    await q.query(
      `ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_type_check CHECK (type IN ('slack', 'pagerduty', 'webhook', 'email', 'msteams', 'opsgenie'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM notification_channels WHERE type IN ('msteams', 'opsgenie')`);
    await q.query('ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_type_check');
    await q.query(
      `ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_type_check CHECK (type IN ('slack', 'pagerduty', 'webhook', 'email'))`,
    );
  }
}
