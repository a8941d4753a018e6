import type { ControlPlaneFeature } from '@telemetryflow/identity';
import { ALERTING_ENTITIES } from './store/entities.js';
import { Alerting1764400000000 } from './store/migration.js';
import { MONITOR_ENTITIES } from './monitors/monitor-entities.js';
import { Monitors1765150000000 } from './monitors/monitor-migration.js';
import { NotificationPolicies1765200000000 } from './store/notification-policy-migration.js';
import { TeamsOpsgenieChannels1765250000000 } from './store/channel-types-migration.js';

export { evaluateRule, groupKey, observe, type GroupSample, type RuleEvaluation } from './evaluation/evaluate-rule.js';
export {
  nextState,
  initialState,
  type InstanceState,
  type Observation,
  type Transition,
} from './evaluation/state-machine.js';
export { renderTemplate, renderAnnotations, formatValue } from './evaluation/templating.js';
export { ALERTING_ENTITIES } from './store/entities.js';
export { AlertingApiModule, type AlertingApiConfig } from './api/alerting-api.module.js';
export {
  ClickHouseConditionReader,
  PromqlUnavailableError,
  type ConditionReaderOptions,
} from './sources/clickhouse-condition-reader.js';
export { CONDITION_READER, type ConditionReader } from './sources/condition-reader.js';
export { PromqlConditionReader } from './sources/promql-condition-reader.js';
export type { PromqlReads } from './sources/promql-reads.js';
export { instantGroups, rangeGroups } from './sources/promql-groups.js';
export type { LimitedReader, QueryExecutor, QueryReads, ReadLimits } from './sources/query-reads.js';
export { AlertHistory } from './history/alert-history.js';
export { previewRule, PreviewTooLargeError, type PreviewBudget } from './rules/rule-preview.js';
export { AlertStateStore } from './store/alert-state-store.js';
export { RuleScheduler, type SchedulerConfig } from './scheduler/rule-scheduler.js';
export { HttpDelivery, type DeliveryConfig, type DeliveryResult } from './delivery/http-delivery.js';
export { AddressGuard, AddressGuardConfigError, ipv6Value, parseCidrs } from './delivery/address-guard.js';
export {
  guardedLookup,
  assertLiteralAllowed,
  systemResolve,
  BlockedAddressError,
  type Resolve,
} from './delivery/guarded-lookup.js';
export { NotificationDispatcher, type DispatcherConfig } from './delivery/notification-dispatcher.js';
export { webhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './delivery/channel-messages.js';
export {
  alertmanagerWebhookBody,
  goTime,
  type AlertmanagerWebhookMessage,
  type AlertmanagerWebhookAlert,
} from './delivery/alertmanager-webhook.js';
export { renderEmail, emailSubject, type EmailMessage } from './delivery/email-message.js';
export { SmtpDelivery, EMAIL_FAILED, type SmtpConfig, type EmailResult } from './delivery/smtp-delivery.js';
export {
  LabelMatcherSchema,
  MATCH_OPS,
  compileMatcher,
  matchesAll,
  matchersString,
  type LabelMatcher,
  type CompiledMatcher,
  type MatchOp,
} from './routing/label-matchers.js';
export { labelSetFingerprint, labelSetString } from './routing/label-sets.js';
export {
  NotificationPolicySchema,
  RouteConfigSchema,
  buildNotificationPolicy,
  matchRoutes,
  groupLabelsOf,
  walkRoutes,
  GROUP_BY_ALL,
  type NotificationPolicy,
  type NotificationPolicyInput,
  type Route,
  type RouteConfig,
} from './routing/route-tree.js';
export {
  TimeIntervalSpecSchema,
  NamedTimeIntervalSchema,
  compileTimeInterval,
  intervalContains,
  type TimeIntervalSpec,
  type NamedTimeInterval,
} from './routing/time-intervals.js';
export {
  compileSilence,
  silencedBy,
  isSilenceActive,
  type Silence,
  type CompiledSilence,
} from './routing/silence-matching.js';
export { notifyReason, type NotifyReason } from './routing/notification-reason.js';
export {
  AlertAggregator,
  type AggregatorOptions,
  type GroupNotification,
  type IncomingAlert,
  type NotifiedAlert,
  type AggregatorSnapshot,
} from './routing/alert-aggregator.js';
export { NotificationRouter, queueGroupNotifications, type RouterConfig } from './scheduler/notification-router.js';
export { RoutingStateStore } from './store/routing-state-store.js';
export {
  ClickHouseAlertExcerpts,
  excerptQuery,
  excerptLines,
  type AlertExcerpts,
  type ExcerptOptions,
} from './sources/alert-excerpts.js';
export { NotificationPoliciesService } from './policies/notification-policies.service.js';
export {
  groupChannelRequest,
  isGroupPayload,
  sendsResolved,
  slackGroupMessage,
  pagerDutyGroupEvent,
  type GroupPayload,
} from './delivery/group-messages.js';
export { deliverToChannel, NO_SMTP, type ChannelSenders } from './delivery/channel-delivery.js';
export { startAlertingRole, type AlertingRole, type AlertingRoleConfig } from './alerting-role.js';
export { createAlertingMetrics, type AlertingMetrics } from './alerting-metrics.js';

/** Control-plane migrations of alerting (by timestamp between dashboards' 0004 and identity's 0005). */
export const ALERTING_MIGRATIONS = [
  Alerting1764400000000,
  Monitors1765150000000,
  NotificationPolicies1765200000000,
  TeamsOpsgenieChannels1765250000000,
];

/** Alerting's tables in the control-plane database: one of `openControlPlane({ features })`. */
export const ALERTING_FEATURE: ControlPlaneFeature = {
  entities: [...ALERTING_ENTITIES, ...MONITOR_ENTITIES],
  migrations: ALERTING_MIGRATIONS,
};
export { MonitorEntity, MonitorRunEntity, MONITOR_ENTITIES } from './monitors/monitor-entities.js';
export { MonitorRunStore, type LeasedMonitor, type RunOutcome } from './monitors/monitor-run-store.js';
export {
  MonitorResultsWriter,
  BufferedResultsWriter,
  parseCheckRecord,
  MONITOR_RESULTS_TABLE,
  type MonitorCheckRecord,
  type BufferedWriterOptions,
} from './monitors/monitor-results.js';
export { MonitorResultsReader } from './monitors/monitor-results-reader.js';
export { MonitorsService } from './monitors/monitors.service.js';
export { syncMonitorIncidents } from './status/monitor-incidents.js';
export { TenantConfigModule, type TenantConfigModuleConfig } from './tenant-config/tenant-config.module.js';
export {
  TenantConfigService,
  type TenantDashboards,
  type ImportReport,
} from './tenant-config/tenant-config.service.js';
export {
  TenantConfigDocumentSchema,
  TENANT_CONFIG_FORMAT,
  type TenantConfigDocument,
} from './tenant-config/config-document.js';
export { planImport, type ImportItem, type ImportMode, type TenantState } from './tenant-config/import-plan.js';
