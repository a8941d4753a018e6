// Alert rules, alert instances, silences and notification channels: the shapes the API
// validates, the YAML export carries and the console edits.
import { z } from 'zod';
import { PROMQL_MAX_CHARS, QuerySchema } from './query.js';
import { USAGE_REFUSAL_REASONS } from './usage.js';

/** `30s`, `5m`, `1h`, `7d`: how rules write durations (and how YAML keeps them readable). */
const DURATION = /^\d{1,6}(ms|s|m|h|d)$/;
export const DurationSchema = z.string().regex(DURATION, 'a duration such as 30s, 5m, 1h or 1d');
export type Duration = z.infer<typeof DurationSchema>;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration that DurationSchema accepted. */
export function durationMs(d: Duration): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export const ThresholdSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('above'), value: z.number() }),
  z.object({ op: z.literal('below'), value: z.number() }),
  z
    .object({ op: z.literal('outside'), min: z.number(), max: z.number() })
    .refine((t) => t.min <= t.max, 'min must not exceed max'),
]);
export type Threshold = z.infer<typeof ThresholdSchema>;

const Name = z.string().min(1).max(200);
export const ALERT_SPAN_MEASURES = ['error_rate', 'p95_latency_ms', 'p99_latency_ms', 'request_rate'] as const;

const window = DurationSchema.default('5m');

/**
 * Any query of the query API (metrics, spans or logs) against a threshold; the query's own
 * groupBy makes the groups. Its value is the query's aggregate over exactly the last window.
 */
export const MetricThresholdConditionSchema = z.object({
  kind: z.literal('metric_threshold'),
  query: QuerySchema,
  window,
  threshold: ThresholdSchema,
});

/**
 * Span-derived: error rate (0..1), p95 / p99 latency (ms) or request rate (per second) — of the
 * service's entry spans (server and consumer spans, or root spans where it has none), or with an
 * operation, of that operation's spans.
 */
export const SpanConditionSchema = z.object({
  kind: z.literal('span'),
  measure: z.enum(ALERT_SPAN_MEASURES),
  service: Name.optional(),
  operation: Name.optional(),
  window,
  threshold: ThresholdSchema,
});

/** Log records matching service / severity / body words, counted over the window. */
export const LogCountConditionSchema = z.object({
  kind: z.literal('log_count'),
  service: Name.optional(),
  severity: z.string().min(1).max(50).optional(),
  /** Words that must all occur in the body (case-insensitive). */
  search: z.string().max(1000).optional(),
  window,
  threshold: ThresholdSchema,
});

/** Fires when a source sent nothing within the window. */
export const AbsenceConditionSchema = z
  .object({
    kind: z.literal('absence'),
    signal: z.enum(['spans', 'logs', 'metric']),
    service: Name.optional(),
    metric: Name.optional(),
    window,
  })
  .refine((c) => c.signal !== 'metric' || c.metric !== undefined, {
    message: 'absence of a metric needs metric',
    path: ['metric'],
  });

export const BurnWindowSchema = z.object({
  long: DurationSchema,
  short: DurationSchema,
  factor: z.number().positive(),
});
export type BurnWindow = z.infer<typeof BurnWindowSchema>;

/** The Google SRE workbook's page-worthy pairs for a 30-day SLO. */
export const DEFAULT_BURN_WINDOWS: BurnWindow[] = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
];

/**
 * SLO burn rate (multi-window, multi-burn-rate): bad events are errors (availability) or
 * spans slower than `latencyThresholdMs` (latency). Fires when any pair's long and short
 * windows both burn the error budget faster than its factor.
 */
export const SloBurnRateConditionSchema = z
  .object({
    kind: z.literal('slo_burn_rate'),
    objective: z.enum(['availability', 'latency']),
    service: Name,
    operation: Name.optional(),
    /** e.g. 0.999 */
    target: z.number().gt(0).lt(1),
    latencyThresholdMs: z.number().positive().optional(),
    windows: z.array(BurnWindowSchema).min(1).max(4).default(DEFAULT_BURN_WINDOWS),
  })
  .refine((c) => c.objective !== 'latency' || c.latencyThresholdMs !== undefined, {
    message: 'a latency SLO needs latencyThresholdMs',
    path: ['latencyThresholdMs'],
  });

/**
 * A PromQL expression evaluated as Prometheus' rule manager evaluates an alerting rule: an instant query at each
 * evaluation; every series of the result is a group (its labels the group's labels) and fires — or, with a
 * threshold, fires when its value passes the threshold. A series that leaves the result resolves its alert, as in
 * Prometheus; only the rule's `noData: alerting` turns an empty result into a breach. The rule's groupBy stays
 * empty: the expression groups.
 */
export const PromqlConditionSchema = z.object({
  kind: z.literal('promql'),
  query: z.string().trim().min(1).max(PROMQL_MAX_CHARS),
  threshold: ThresholdSchema.optional(),
});
export type PromqlCondition = z.infer<typeof PromqlConditionSchema>;

export const MONITOR_CHECKS = ['down', 'latencyP95', 'certificateDays'] as const;

/**
 * An uptime monitor's check results over the window: `down` — its latest check failed (down
 * for X: the rule's `for`); `latencyP95` — p95 response time (ms); `certificateDays` — days
 * left on its TLS certificate (latest check), e.g. below 14.
 */
export const MonitorConditionSchema = z
  .object({
    kind: z.literal('monitor'),
    monitorId: z.string().uuid(),
    check: z.enum(MONITOR_CHECKS),
    window,
    threshold: ThresholdSchema.optional(),
  })
  .refine((c) => c.check === 'down' || c.threshold !== undefined, {
    message: 'latencyP95 and certificateDays need a threshold',
    path: ['threshold'],
  });
export type MonitorCondition = z.infer<typeof MonitorConditionSchema>;

export const USAGE_ALERT_MEASURES = [
  'accepted_items',
  'accepted_bytes',
  'refused_requests',
  'refused_items',
  'stored_bytes',
] as const;

/**
 * The tenant's own usage (`GET /api/v1/usage`, hourly buckets) of a signal, summed over the
 * buckets that start within the window — the current hour so far and the whole hours before
 * it (a window of whole hours, 1h to 31d): items or bytes accepted, requests or items refused
 * (of one reason, or all); or stored_bytes, the latest measurement within the window (no data
 * without one). E.g. refused_requests above 0 over 1h, or accepted_items above a day's budget
 * over 24h. No groups; no usage is 0.
 */
export const UsageConditionSchema = z
  .object({
    kind: z.literal('usage'),
    signal: z.enum(['traces', 'metrics', 'logs']),
    measure: z.enum(USAGE_ALERT_MEASURES),
    reason: z.enum(USAGE_REFUSAL_REASONS).optional(),
    window: DurationSchema.default('1h'),
    threshold: ThresholdSchema,
  })
  .refine((c) => !DURATION.test(c.window) || wholeHours(durationMs(c.window)), {
    message: 'a usage window is whole hours, from 1h to 31d',
    path: ['window'],
  })
  .refine((c) => c.reason === undefined || c.measure.startsWith('refused'), {
    message: 'reason applies to refused_requests and refused_items only',
    path: ['reason'],
  });
export type UsageCondition = z.infer<typeof UsageConditionSchema>;

function wholeHours(ms: number): boolean {
  return ms >= 3_600_000 && ms <= 31 * 86_400_000 && ms % 3_600_000 === 0;
}

export const AlertConditionSchema = z.discriminatedUnion('kind', [
  MetricThresholdConditionSchema,
  SpanConditionSchema,
  LogCountConditionSchema,
  AbsenceConditionSchema,
  SloBurnRateConditionSchema,
  PromqlConditionSchema,
  MonitorConditionSchema,
  UsageConditionSchema,
]);
export type AlertCondition = z.infer<typeof AlertConditionSchema>;
export type AlertConditionKind = AlertCondition['kind'];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const NO_DATA_BEHAVIOURS = ['ok', 'alerting', 'keep'] as const;
export type NoDataBehaviour = (typeof NO_DATA_BEHAVIOURS)[number];

const LabelMap = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'a label name (letters, digits, _)'),
  z.string().max(1000),
);

/** What a user writes (API body, one YAML item). */
export const AlertRuleInputSchema = z
  .object({
    name: Name,
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    condition: AlertConditionSchema,
    interval: DurationSchema.default('1m'),
    for: DurationSchema.default('0s'),
    /** One alert per distinct value combination: `service`, `operation`, `severity` or a metric attribute. */
    groupBy: z.array(z.string().min(1).max(200)).max(10).default([]),
    severity: z.enum(SEVERITIES).default('warning'),
    labels: LabelMap.default({}),
    /** Templated with `{{ $value }}` and `{{ $labels.name }}`. */
    annotations: LabelMap.default({}),
    /** Notification channel ids. */
    channels: z.array(z.string().uuid()).max(20).default([]),
    noData: z.enum(NO_DATA_BEHAVIOURS).default('keep'),
    groupWait: DurationSchema.default('30s'),
    repeatInterval: DurationSchema.default('4h'),
  })
  .refine(
    (r) => !DURATION.test(r.interval) || (durationMs(r.interval) >= 1000 && durationMs(r.interval) <= 86_400_000),
    { message: 'interval must be from 1s to 1d', path: ['interval'] },
  );
export type AlertRuleInput = z.infer<typeof AlertRuleInputSchema>;

export interface AlertRuleDto extends AlertRuleInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export const ALERT_STATES = ['inactive', 'pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** One alert instance (a rule and one group of its group-by labels). */
export interface AlertDto {
  ruleId: string;
  ruleName: string;
  groupKey: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  severity: Severity;
  value: number | null;
  /** When the condition started to hold (RFC 3339), in pending and firing. */
  activeSince: string | null;
  firedAt: string | null;
  resolvedAt: string | null;
  lastEvaluatedAt: string;
  silenced: boolean;
}

export const AlertListQuerySchema = z.object({
  state: z.enum(ALERT_STATES).optional(),
  ruleId: z.string().uuid().optional(),
});

export const TimeParam = z
  .string()
  .regex(/^(\d{1,16}|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2}))$/, 'RFC 3339 or epoch milliseconds');

export const AlertHistoryQuerySchema = z.object({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  ruleId: z.string().uuid().optional(),
  event: z.enum(['evaluation', 'transition', 'notification']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export interface AlertHistoryEntryDto {
  time: string;
  ruleId: string;
  ruleName: string;
  groupKey: string;
  labels: Record<string, string>;
  event: 'evaluation' | 'transition' | 'notification';
  fromState: string;
  toState: string;
  value: number | null;
  channelId: string;
  outcome: string;
  message: string;
}

export const PreviewRequestSchema = z.object({
  rule: AlertRuleInputSchema,
  from: TimeParam,
  to: TimeParam,
});

export interface PreviewDto {
  evaluations: number;
  /** Transitions the rule would have made, in time order. */
  transitions: {
    time: string;
    groupKey: string;
    labels: Record<string, string>;
    from: AlertState;
    to: AlertState;
    value: number | null;
  }[];
}

/** `=`, `!=`, and Alertmanager's regular-expression matchers `=~`, `!~` (RE2, fully anchored). */
export const MatcherSchema = z.object({
  label: z.string().min(1).max(100),
  op: z.enum(['=', '!=', '=~', '!~']).default('='),
  value: z.string().max(1000),
});
export type Matcher = z.infer<typeof MatcherSchema>;

/** Silences (ad hoc) and maintenance windows (planned) mute notifications of matching alerts. */
export const SilenceInputSchema = z.object({
  kind: z.enum(['silence', 'maintenance']).default('silence'),
  matchers: z.array(MatcherSchema).min(1).max(20),
  startsAt: TimeParam,
  endsAt: TimeParam,
  comment: z.string().max(2000).default(''),
});
export type SilenceInput = z.infer<typeof SilenceInputSchema>;

export interface SilenceDto {
  id: string;
  kind: 'silence' | 'maintenance';
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  createdAt: string;
}

const HttpUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL');

/** Where notifications go. Secrets (URLs with tokens, routing keys, signing secrets) are write-only. */
/**
 * Under a notification policy: whether the channel is told about resolved alerts (Alertmanager's
 * `send_resolved`); unset, Alertmanager's default of the integration (webhook, PagerDuty,
 * Teams and Opsgenie yes, Slack and e-mail no). A rule's own notifications always send resolves.
 */
const SendResolved = z.boolean().optional();

export const ChannelInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('slack'), name: Name, url: HttpUrl, sendResolved: SendResolved }),
  z.object({
    type: z.literal('pagerduty'),
    name: Name,
    routingKey: z.string().min(1).max(100),
    url: HttpUrl.default('https://events.pagerduty.com/v2/enqueue'),
    sendResolved: SendResolved,
  }),
  z.object({
    type: z.literal('webhook'),
    name: Name,
    url: HttpUrl,
    secret: z.string().min(16).max(256),
    sendResolved: SendResolved,
  }),
  /** Through the operator's SMTP relay (TF_SMTP_*); the channel only names the recipients. */
  z.object({
    type: z.literal('email'),
    name: Name,
    to: z.array(z.string().email().max(320)).min(1).max(20),
    sendResolved: SendResolved,
  }),
  /** A Teams incoming webhook or a Workflows "post to a channel when a webhook request is received" URL. */
  z.object({ type: z.literal('msteams'), name: Name, url: HttpUrl, sendResolved: SendResolved }),
  /** Opsgenie Alert API v2 with an API integration's key; `apiUrl` https://api.eu.opsgenie.com for the EU instance. */
  z.object({
    type: z.literal('opsgenie'),
    name: Name,
    apiKey: z.string().min(1).max(200),
    apiUrl: HttpUrl.default('https://api.opsgenie.com'),
    sendResolved: SendResolved,
  }),
]);
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

export interface ChannelDto {
  id: string;
  name: string;
  type: ChannelInput['type'];
  /** Scheme and host of the target; the rest may hold a token, so it is never shown. */
  target: string;
  /** A permanent delivery error happened and no delivery succeeded since. */
  failing: boolean;
  failingSince: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChannelTestDto {
  delivered: boolean;
  /** HTTP status of the last attempt, when there was a response. */
  status: number | null;
  attempts: number;
  error: string | null;
}

export const COMPONENT_STATUSES = ['operational', 'degraded', 'partial_outage', 'major_outage', 'maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export const INCIDENT_IMPACTS = ['degraded', 'partial_outage', 'major_outage', 'maintenance'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const StatusPageInputSchema = z.object({
  /** The public address: `/status/<slug>`. */
  slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
});
export type StatusPageInput = z.infer<typeof StatusPageInputSchema>;

export const StatusComponentInputSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  position: z.number().int().min(0).max(1000).default(0),
  /** Alert rules whose firing sets this component's status and opens incidents. */
  ruleIds: z.array(z.string().uuid()).max(50).default([]),
  /** Set by hand; overrides what incidents say. Null: follow the rules. */
  manualStatus: z.enum(COMPONENT_STATUSES).nullable().default(null),
  /** An uptime monitor: its checks make the uptime bars, and its outages open and resolve incidents. */
  monitorId: z.string().uuid().nullable().default(null),
});
export type StatusComponentInput = z.infer<typeof StatusComponentInputSchema>;

export const IncidentInputSchema = z.object({
  title: z.string().min(1).max(300),
  impact: z.enum(INCIDENT_IMPACTS),
  status: z.enum(INCIDENT_STATUSES).default('investigating'),
  /** The first update's text. */
  message: z.string().min(1).max(10_000),
  componentId: z.string().uuid().nullable().default(null),
  /** Scheduled maintenance: when it starts and ends (both required for impact maintenance). */
  startsAt: TimeParam.optional(),
  endsAt: TimeParam.optional(),
});
export type IncidentInput = z.infer<typeof IncidentInputSchema>;

export const IncidentUpdateInputSchema = z.object({
  status: z.enum(INCIDENT_STATUSES),
  message: z.string().min(1).max(10_000),
  /** Optional new title. */
  title: z.string().min(1).max(300).optional(),
});
export type IncidentUpdateInput = z.infer<typeof IncidentUpdateInputSchema>;

export interface IncidentUpdateDto {
  status: IncidentStatus;
  message: string;
  at: string;
}

export interface IncidentDto {
  id: string;
  title: string;
  impact: IncidentImpact;
  status: IncidentStatus;
  componentId: string | null;
  /** Opened by a firing alert rule. */
  automatic: boolean;
  startedAt: string;
  resolvedAt: string | null;
  updates: IncidentUpdateDto[];
}

export interface StatusComponentDto extends StatusComponentInput {
  id: string;
  status: ComponentStatus;
}

export interface StatusPageDto extends StatusPageInput {
  id: string;
  components: StatusComponentDto[];
  createdAt: string;
  updatedAt: string;
}

/** One day of a component's uptime bar (UTC days). */
export interface UptimeDayDto {
  date: string;
  /** Worst impact that day; `operational` without incidents, `none` before the component existed. */
  status: ComponentStatus | 'none';
  /** Minutes of partial or major outage. */
  outageMinutes: number;
  /** Components bound to a monitor: the share of up checks that day in percent; null without checks (no data). */
  uptimePercent?: number | null;
}

/** `GET /status/{slug}/api`: only what the page itself shows. */
export interface PublicStatusDto {
  title: string;
  description: string;
  status: ComponentStatus;
  components: {
    id: string;
    name: string;
    description: string;
    status: ComponentStatus;
    uptimePercent: number | null;
    days: UptimeDayDto[];
  }[];
  /** Open incidents and those resolved in the last 14 days, newest first. */
  incidents: IncidentDto[];
  /** Maintenance announced for later. */
  scheduledMaintenance: IncidentDto[];
  generatedAt: string;
}

/** `GET /api/v1/notification-policy`: the tenant's routing tree, or the default (null: each rule's own channels). */
export interface NotificationPolicyDto {
  /** As stored (Alertmanager's route and time_intervals, in camelCase); null when none is set. */
  policy: Record<string, unknown> | null;
  updatedAt: string | null;
  updatedBy: string | null;
}
