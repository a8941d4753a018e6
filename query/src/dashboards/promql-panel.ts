// A PromQL panel query: dashboard variables into its expression as Grafana puts them into
// PromQL, and a range query's answer as the panel's series. Pure.
import type { QueryMeta, QueryResult, QuerySeries } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import { ERROR_STATUS, QueryError, type Labels, type QueryValue } from '@telemetryflow/promql';
import type { VariableValues } from './dashboard-variables.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** Grafana's legend placeholder: `{{ label }}`. */
const LEGEND_PLACEHOLDER = /\{\{\s*(?!\s)([^{}]+?)(?<!\s)\s*\}\}/g;
const METRIC_NAME = '__name__';

/** Inside a PromQL string literal: backslashes and double quotes escaped. */
function stringEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Grafana's prometheusSpecialRegexEscape (plus `"`): a literal value inside a regex inside a PromQL string. */
function regexEscape(value: string): string {
  return stringEscape(value.replace(/[\\$^*{}[\]'+?.()|]/g, '\\$&'));
}

/**
 * Replaces `$name` and `${name}` of the dashboard's variables in a PromQL expression, as
 * Grafana's Prometheus data source does by default: one value as written (escaped for a
 * string literal); several values regex-escaped and joined as `(a|b)`, for `=~`. A variable
 * without a value stands for all of them: `.*`. Other `$words` stay as written.
 */
export function substitutePromqlVariables(expr: string, values: VariableValues): string {
  return expr.replace(REFERENCE, (ref, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!Object.hasOwn(values, name)) return ref;
    const value = values[name];
    if (value === null || value === undefined) return '.*';
    if (!Array.isArray(value)) return stringEscape(value);
    const escaped = value.map(regexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** A label set as Prometheus prints a series: `name{a="b", c="d"}`. */
export function seriesString(labels: Labels): string {
  const name = labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
  const rest = labels.filter((l) => l.name !== METRIC_NAME).map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  return `${name}{${rest.join(', ')}}`;
}

/** Grafana's legend: `{{label}}` becomes the label's value (a label the series lacks: its name). */
export function legendName(legend: string, labels: Record<string, string>): string {
  return legend.replace(LEGEND_PLACEHOLDER, (_m, name: string) => labels[name] || name);
}

function seriesName(metric: Labels, labels: Record<string, string>, expr: string, legend: string | undefined): string {
  if (legend) return legendName(legend, labels);
  const printed = seriesString(metric);
  // Grafana names a series without any label by its query.
  return printed === '{}' ? expr : printed;
}

function labelRecord(metric: Labels): Record<string, string> {
  return Object.fromEntries(metric.map((l) => [l.name, l.value]));
}

/** JSON has no NaN or infinities: such samples are gaps. */
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export interface PromqlPanelRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/**
 * A range query's answer as a series panel's result: one series per PromQL series (labels
 * as returned, metric name included), a point at every step from start to end (null where the
 * series has no sample), named by the legend or by its label set.
 */
export function promqlPanelResult(
  value: QueryValue,
  range: PromqlPanelRange,
  expr: string,
  legend?: string,
): { data: QueryResult; meta: QueryMeta } {
  const steps: number[] = [];
  for (let t = range.startMs; t <= range.endMs; t += range.stepMs) steps.push(t);
  const series = (metric: Labels, samples: Map<number, number>): QuerySeries => {
    const labels = labelRecord(metric);
    return {
      labels,
      name: seriesName(metric, labels, expr, legend),
      points: steps.map((t): [number, number | null] => {
        const v = samples.get(t);
        return [t, v === undefined ? null : finite(v)];
      }),
    };
  };
  let out: QuerySeries[];
  switch (value.resultType) {
    case 'matrix':
      out = value.result.map((s) => series(s.metric, new Map(s.points.map((p) => [p.t, p.v]))));
      break;
    case 'vector':
      out = value.result.map((s) => series(s.metric, new Map([[s.t, s.v]])));
      break;
    case 'scalar':
      out = [series([], new Map([[value.result.t, value.result.v]]))];
      break;
    case 'string':
      throw new QueryError(
        'bad_data',
        'a string cannot be charted: the expression must be a scalar or an instant vector',
      );
  }
  return { data: { series: out }, meta: { resolution: 'raw', step: range.stepMs / 1000 } };
}

/**
 * A PromQL error as a panel's error: Prometheus' message; bad data (a parse error, a wrong
 * type) as a 400 invalid parameter, the rest with Prometheus' error type as its code.
 */
export function promqlPanelError(err: QueryError): ApiError {
  if (err.type === 'bad_data') return new ApiError(400, 'invalid_parameter', err.message, { parameter: 'query.expr' });
  return new ApiError(ERROR_STATUS[err.type], err.type, err.message);
}
