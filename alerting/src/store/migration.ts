import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Alert rules, their leases and instances, channels, the notification outbox, silences and status pages. Immutable once released. */
export class Alerting1764400000000 implements MigrationInterface {
  name = 'Alerting1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE alert_rules (
      id         uuid PRIMARY KEY,
      tenant_id  text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name       text NOT NULL,
      enabled    boolean NOT NULL,
      spec       jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT alert_rules_tenant_name UNIQUE (tenant_id, name)
    )`);
    await q.query(`CREATE TABLE alert_rule_leases (
      rule_id     uuid PRIMARY KEY REFERENCES alert_rules(id) ON DELETE CASCADE,
      due_at      timestamptz NOT NULL DEFAULT now(),
      holder      text,
      lease_until timestamptz
    )`);
    await q.query('CREATE INDEX alert_rule_leases_due ON alert_rule_leases (due_at)');
    await q.query(`CREATE TABLE alert_instances (
      rule_id           uuid NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
      group_key         text NOT NULL,
      tenant_id         text NOT NULL,
      labels            jsonb NOT NULL,
      annotations       jsonb NOT NULL,
      state             text NOT NULL CHECK (state IN ('inactive', 'pending', 'firing', 'resolved')),
      value             double precision,
      active_since      timestamptz,
      fired_at          timestamptz,
      resolved_at       timestamptz,
      last_evaluated_at timestamptz NOT NULL,
      last_notified_at  timestamptz,
      PRIMARY KEY (rule_id, group_key)
    )`);
    await q.query('CREATE INDEX alert_instances_tenant_state ON alert_instances (tenant_id, state)');
    await q.query(`CREATE TABLE notification_channels (
      id            uuid PRIMARY KEY,
      tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name          text NOT NULL,
      type          text NOT NULL CHECK (type IN ('slack', 'pagerduty', 'webhook')),
      config        jsonb NOT NULL,
      failing_since timestamptz,
      last_error    text,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX notification_channels_tenant ON notification_channels (tenant_id)');
    await q.query(`CREATE TABLE alert_notifications (
      id          bigserial PRIMARY KEY,
      tenant_id   text NOT NULL,
      channel_id  uuid NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
      rule_id     uuid,
      group_key   text NOT NULL,
      kind        text NOT NULL CHECK (kind IN ('firing', 'resolved', 'test')),
      payload     jsonb NOT NULL,
      status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts    integer NOT NULL DEFAULT 0,
      claim_until timestamptz,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      created_at  timestamptz NOT NULL DEFAULT now(),
      sent_at     timestamptz,
      last_error  text
    )`);
    await q.query(
      `CREATE INDEX alert_notifications_open ON alert_notifications (id) WHERE status IN ('pending', 'sending')`,
    );
    await q.query(`CREATE TABLE alert_silences (
      id         uuid PRIMARY KEY,
      tenant_id  text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind       text NOT NULL CHECK (kind IN ('silence', 'maintenance')),
      matchers   jsonb NOT NULL,
      starts_at  timestamptz NOT NULL,
      ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
      comment    text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX alert_silences_tenant_ends ON alert_silences (tenant_id, ends_at)');
    await q.query(`CREATE TABLE status_pages (
      id          uuid PRIMARY KEY,
      tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      slug        text NOT NULL UNIQUE,
      title       text NOT NULL,
      description text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE status_components (
      id            uuid PRIMARY KEY,
      page_id       uuid NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
      tenant_id     text NOT NULL,
      name          text NOT NULL,
      description   text NOT NULL,
      position      integer NOT NULL,
      rule_ids      uuid[] NOT NULL,
      manual_status text,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query('CREATE INDEX status_components_rules ON status_components USING gin (rule_ids)');
    await q.query(`CREATE TABLE status_incidents (
      id           uuid PRIMARY KEY,
      page_id      uuid NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
      tenant_id    text NOT NULL,
      component_id uuid REFERENCES status_components(id) ON DELETE SET NULL,
      title        text NOT NULL,
      impact       text NOT NULL CHECK (impact IN ('degraded', 'partial_outage', 'major_outage', 'maintenance')),
      status       text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
      rule_id      uuid,
      started_at   timestamptz NOT NULL,
      resolved_at  timestamptz,
      updates      jsonb NOT NULL
    )`);
    await q.query('CREATE INDEX status_incidents_page_started ON status_incidents (page_id, started_at)');
    await q.query(
      `CREATE UNIQUE INDEX status_incidents_open_automatic ON status_incidents (component_id, rule_id) WHERE rule_id IS NOT NULL AND resolved_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'status_incidents',
      'status_components',
      'status_pages',
      'alert_silences',
      'alert_notifications',
      'notification_channels',
      'alert_instances',
      'alert_rule_leases',
      'alert_rules',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
