import type {
  AlertConditionKind,
  AlertRuleInput,
  BurnWindow,
  MonitorCondition,
  NoDataBehaviour,
  QueryDto,
  Severity,
  Threshold,
  UsageCondition,
} from '@telemetryflow/contract';
import { DEFAULT_BURN_WINDOWS, type ALERT_SPAN_MEASURES } from '@telemetryflow/contract/alerting';
import { withoutEmpty } from '../queries/query-draft.js';

export type KeyValue = { key: string; value: string };

/**
 * An alert rule as the editor holds it: every kind's condition fields side by side, so
 * switching the kind and back keeps what was typed; `ruleInput` builds the DTO of the chosen one.
 */
export interface RuleForm {
  name: string;
  description: string;
  enabled: boolean;
  kind: AlertConditionKind;
  window: string;
  threshold: { op: Threshold['op']; value: number | null; min: number | null; max: number | null };
  query: QueryDto;
  span: { measure: (typeof ALERT_SPAN_MEASURES)[number]; service: string; operation: string };
  logCount: { service: string; severity: string; search: string };
  absence: { signal: 'spans' | 'logs' | 'metric'; service: string; metric: string };
  /** Without a threshold, every series of the result fires (as a Prometheus alerting rule). */
  promql: { query: string; threshold: boolean };
  /** An uptime monitor's results (the rule editor's fields for it come with the monitors console). */
  monitor: { monitorId: string; check: MonitorCondition['check'] };
  /** The tenant's usage of a signal (hourly buckets; the window is whole hours). */
  usage: { signal: UsageCondition['signal']; measure: UsageCondition['measure']; reason: string };
  slo: {
    objective: 'availability' | 'latency';
    service: string;
    operation: string;
    target: number | null;
    latencyThresholdMs: number | null;
    windows: BurnWindow[];
  };
  interval: string;
  for: string;
  groupBy: string[];
  severity: Severity;
  labels: KeyValue[];
  annotations: KeyValue[];
  channels: string[];
  noData: NoDataBehaviour;
  groupWait: string;
  repeatInterval: string;
}

export function newRuleForm(): RuleForm {
  return {
    name: '',
    description: '',
    enabled: true,
    kind: 'span',
    window: '5m',
    threshold: { op: 'above', value: null, min: null, max: null },
    query: { signal: 'metrics', metric: '', aggregation: 'avg' },
    span: { measure: 'error_rate', service: '', operation: '' },
    logCount: { service: '', severity: '', search: '' },
    absence: { signal: 'spans', service: '', metric: '' },
    promql: { query: '', threshold: false },
    monitor: { monitorId: '', check: 'down' },
    usage: { signal: 'traces', measure: 'refused_requests', reason: '' },
    slo: {
      objective: 'availability',
      service: '',
      operation: '',
      target: 0.999,
      latencyThresholdMs: null,
      windows: structuredClone(DEFAULT_BURN_WINDOWS),
    },
    interval: '1m',
    for: '5m',
    groupBy: [],
    severity: 'warning',
    labels: [],
    annotations: [{ key: 'summary', value: '' }],
    channels: [],
    noData: 'keep',
    groupWait: '30s',
    repeatInterval: '4h',
  };
}

const rows = (map: Record<string, string>): KeyValue[] => Object.entries(map).map(([key, value]) => ({ key, value }));
const map = (list: KeyValue[]): Record<string, string> =>
  Object.fromEntries(list.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));

/** The form of a saved rule. */
export function ruleForm(rule: AlertRuleInput): RuleForm {
  const form = newRuleForm();
  const c = rule.condition;
  Object.assign(form, {
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    kind: c.kind,
    interval: rule.interval,
    for: rule.for,
    groupBy: [...rule.groupBy],
    severity: rule.severity,
    labels: rows(rule.labels),
    annotations: rows(rule.annotations),
    channels: [...rule.channels],
    noData: rule.noData,
    groupWait: rule.groupWait,
    repeatInterval: rule.repeatInterval,
  });
  if ('window' in c) form.window = c.window;
  if ('threshold' in c && c.threshold) {
    const t = c.threshold;
    form.threshold =
      t.op === 'outside'
        ? { op: 'outside', value: null, min: t.min, max: t.max }
        : { op: t.op, value: t.value, min: null, max: null };
  }
  if (c.kind === 'metric_threshold') form.query = structuredClone(c.query);
  if (c.kind === 'span') form.span = { measure: c.measure, service: c.service ?? '', operation: c.operation ?? '' };
  if (c.kind === 'log_count')
    form.logCount = { service: c.service ?? '', severity: c.severity ?? '', search: c.search ?? '' };
  if (c.kind === 'promql') form.promql = { query: c.query, threshold: c.threshold !== undefined };
  if (c.kind === 'absence') form.absence = { signal: c.signal, service: c.service ?? '', metric: c.metric ?? '' };
  if (c.kind === 'monitor') form.monitor = { monitorId: c.monitorId, check: c.check };
  if (c.kind === 'usage') form.usage = { signal: c.signal, measure: c.measure, reason: c.reason ?? '' };
  if (c.kind === 'slo_burn_rate') {
    form.slo = {
      objective: c.objective,
      service: c.service,
      operation: c.operation ?? '',
      target: c.target,
      latencyThresholdMs: c.latencyThresholdMs ?? null,
      windows: structuredClone(c.windows),
    };
  }
  return form;
}

// A missing number is left out, so the schema names the field ("expected number").
const num = (n: number | null) => n ?? undefined;

function threshold(form: RuleForm): Record<string, unknown> {
  const t = form.threshold;
  return t.op === 'outside' ? { op: 'outside', min: num(t.min), max: num(t.max) } : { op: t.op, value: num(t.value) };
}

function condition(form: RuleForm): Record<string, unknown> {
  const window = form.window;
  switch (form.kind) {
    case 'metric_threshold':
      return { kind: form.kind, query: form.query, window, threshold: threshold(form) };
    case 'span':
      return withoutEmpty({ kind: form.kind, ...form.span, window, threshold: threshold(form) });
    case 'log_count':
      return withoutEmpty({ kind: form.kind, ...form.logCount, window, threshold: threshold(form) });
    case 'absence':
      return withoutEmpty({
        kind: form.kind,
        signal: form.absence.signal,
        service: form.absence.service,
        ...(form.absence.signal === 'metric' ? { metric: form.absence.metric } : {}),
        window,
      });
    case 'promql':
      return {
        kind: form.kind,
        query: form.promql.query,
        ...(form.promql.threshold ? { threshold: threshold(form) } : {}),
      };
    case 'monitor':
      return {
        kind: form.kind,
        monitorId: form.monitor.monitorId,
        check: form.monitor.check,
        window,
        ...(form.monitor.check !== 'down' ? { threshold: threshold(form) } : {}),
      };
    case 'usage':
      return withoutEmpty({ kind: form.kind, ...form.usage, window, threshold: threshold(form) });
    case 'slo_burn_rate': {
      const s = form.slo;
      return withoutEmpty({
        kind: form.kind,
        objective: s.objective,
        service: s.service,
        operation: s.operation,
        target: num(s.target),
        ...(s.objective === 'latency' ? { latencyThresholdMs: num(s.latencyThresholdMs) } : {}),
        windows: s.windows,
      });
    }
  }
}

/** The rule body the API takes (the shared schema decides whether it is valid). */
export function ruleInput(form: RuleForm): unknown {
  return {
    name: form.name.trim(),
    description: form.description,
    enabled: form.enabled,
    condition: condition(form),
    interval: form.interval,
    for: form.for,
    // A PromQL expression groups by itself: each series of its result is an alert; a monitor and usage are one.
    groupBy: form.kind === 'promql' || form.kind === 'monitor' || form.kind === 'usage' ? [] : form.groupBy,
    severity: form.severity,
    labels: map(form.labels),
    annotations: map(form.annotations),
    channels: form.channels,
    noData: form.noData,
    groupWait: form.groupWait,
    repeatInterval: form.repeatInterval,
  };
}
