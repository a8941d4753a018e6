import { LOG_COLUMNS as L, SPAN_COLUMNS as S } from '@telemetryflow/clickhouse';
import type { AlertCondition } from '@telemetryflow/contract';

/** The ClickHouse column (read catalog) behind each group-by label a condition kind offers. */
const COLUMNS: Partial<Record<AlertCondition['kind'], Record<string, string>>> = {
  span: { service: S.ServiceName, operation: S.Name },
  slo_burn_rate: { service: S.ServiceName, operation: S.Name },
  log_count: { service: L.ServiceName, severity: L.SeverityText },
  absence: { service: S.ServiceName },
};

export class UnknownGroupLabelError extends Error {}

/**
 * Group-by labels of a condition as (label, column) pairs; labels the kind cannot group by
 * are refused. Query conditions are grouped by their query's own groupBy, PromQL ones by their series.
 */
export function groupColumns(condition: AlertCondition, groupBy: readonly string[]): [string, string][] {
  if (condition.kind === 'metric_threshold') {
    if (groupBy.length > 0)
      throw new UnknownGroupLabelError(
        "a metric_threshold rule is grouped by its query's groupBy; leave the rule's groupBy empty",
      );
    return [];
  }
  if (condition.kind === 'promql') {
    if (groupBy.length > 0)
      throw new UnknownGroupLabelError(
        "a promql rule is grouped by its expression (one alert per series, e.g. sum by (job) (...)); leave the rule's groupBy empty",
      );
    return [];
  }
  const offered = COLUMNS[condition.kind] ?? {};
  return groupBy.map((label) => {
    const column = offered[label];
    if (column === undefined) {
      const names = Object.keys(offered);
      throw new UnknownGroupLabelError(
        `a ${condition.kind} rule cannot group by "${label}"${names.length ? `; use ${names.join(', ')}` : ''}`,
      );
    }
    return [label, column];
  });
}
