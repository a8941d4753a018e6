import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type {
  AlertRuleInput,
  AlertState,
  ComponentStatus,
  IncidentImpact,
  IncidentStatus,
  Matcher,
} from '@telemetryflow/contract';

/** A rule as the user wrote it (`spec`), with the columns the scheduler filters on. */
@Entity({ name: 'alert_rules' })
export class AlertRuleEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** Unique per tenant: YAML import matches rules by name. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'jsonb' })
  spec!: AlertRuleInput;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Who evaluates a rule and when: a replica takes a lease (holder, until) on a due rule,
 * evaluates, and commits its results only while it still holds the lease. See ADR 0010.
 */
@Entity({ name: 'alert_rule_leases' })
export class AlertRuleLeaseEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text', nullable: true })
  holder!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;
}

/** The state of one alert instance: a rule and one group of its group-by labels. */
@Entity({ name: 'alert_instances' })
export class AlertInstanceEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @PrimaryColumn({ name: 'group_key', type: 'text' })
  groupKey!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'jsonb' })
  labels!: Record<string, string>;

  @Column({ type: 'jsonb' })
  annotations!: Record<string, string>;

  @Column({ type: 'text' })
  state!: AlertState;

  @Column({ type: 'double precision', nullable: true })
  value!: number | null;

  @Column({ name: 'active_since', type: 'timestamptz', nullable: true })
  activeSince!: Date | null;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'last_evaluated_at', type: 'timestamptz' })
  lastEvaluatedAt!: Date;

  /** The last firing notification queued for this instance; null until one was. */
  @Column({ name: 'last_notified_at', type: 'timestamptz', nullable: true })
  lastNotifiedAt!: Date | null;
}

export const CHANNEL_TYPES = ['slack', 'pagerduty', 'webhook', 'email', 'msteams', 'opsgenie'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

@Entity({ name: 'notification_channels' })
export class NotificationChannelEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: ChannelType;

  /** URL, routing key, signing secret: never returned by the API in full. */
  @Column({ type: 'jsonb' })
  config!: Record<string, string>;

  /** Set after a permanent delivery error (400/403/404/410); cleared by the next success. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const NOTIFICATION_KINDS = ['firing', 'resolved', 'test'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * Outbox: a notification is queued in the transaction that decided it, and a dispatcher
 * claims each row for itself (FOR UPDATE SKIP LOCKED), so each is sent by one replica.
 */
@Entity({ name: 'alert_notifications' })
export class AlertNotificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  @Column({ name: 'group_key', type: 'text' })
  groupKey!: string;

  @Column({ type: 'text' })
  kind!: NotificationKind;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** pending → sending → sent | failed */
  @Column({ type: 'text' })
  status!: 'pending' | 'sending' | 'sent' | 'failed';

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'claim_until', type: 'timestamptz', nullable: true })
  claimUntil!: Date | null;

  /** A delivery that should be tried again later (Retry-After, exhausted attempts) waits until then. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}

@Entity({ name: 'alert_silences' })
export class AlertSilenceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  kind!: 'silence' | 'maintenance';

  @Column({ type: 'jsonb' })
  matchers!: Matcher[];

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'text' })
  comment!: string;

  /** The user id or API key id that created it. */
  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A public status page; the slug is its address, unique across tenants. */
@Entity({ name: 'status_pages' })
export class StatusPageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'status_components' })
export class StatusComponentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'page_id', type: 'uuid' })
  pageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ name: 'rule_ids', type: 'uuid', array: true })
  ruleIds!: string[];

  @Column({ name: 'manual_status', type: 'text', nullable: true })
  manualStatus!: ComponentStatus | null;

  /** The uptime monitor whose checks make its uptime bar and open its incidents. */
  @Column({ name: 'monitor_id', type: 'uuid', nullable: true })
  monitorId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** An incident or a scheduled maintenance on a status page, with its updates. */
@Entity({ name: 'status_incidents' })
export class StatusIncidentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'page_id', type: 'uuid' })
  pageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'component_id', type: 'uuid', nullable: true })
  componentId!: string | null;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  impact!: IncidentImpact;

  @Column({ type: 'text' })
  status!: IncidentStatus;

  /** The rule that opened it automatically; null for incidents written by people. */
  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  /** The monitor that opened it automatically (it went down). */
  @Column({ name: 'monitor_id', type: 'uuid', nullable: true })
  monitorId!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  /** For maintenance: the planned end. */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'jsonb' })
  updates!: { status: IncidentStatus; message: string; at: string }[];
}

/**
 * A tenant's notification policy (Alertmanager's route tree and time intervals) and the
 * state of its alert groups, which one replica at a time advances under a lease.
 */
@Entity({ name: 'notification_policies' })
export class NotificationPolicyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** As the API took it (NotificationPolicySchema's input). */
  @Column({ type: 'jsonb' })
  policy!: Record<string, unknown>;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The alert aggregator's snapshot (groups and notification log). */
  @Column({ type: 'jsonb' })
  state!: Record<string, unknown>;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text', nullable: true })
  holder!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;
}

export const ALERTING_ENTITIES = [
  AlertRuleEntity,
  AlertRuleLeaseEntity,
  AlertInstanceEntity,
  NotificationChannelEntity,
  AlertNotificationEntity,
  AlertSilenceEntity,
  StatusPageEntity,
  StatusComponentEntity,
  StatusIncidentEntity,
  NotificationPolicyEntity,
];
