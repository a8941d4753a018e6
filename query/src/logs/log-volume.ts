// Log volume per step and severity over a query plan (raw logs and volume rollups).
import { LOG_COLUMNS as L, LOG_ROLLUP_COLUMNS as R } from '@telemetryflow/clickhouse';
import type { LogVolumePointDto } from '@telemetryflow/contract';
import { bucketStarts } from '../metrics/metric-math.js';
import type { Resolution } from '../planner/query-plan.js';

const NUMBER = L.SeverityNumber;
const TEXT = L.SeverityText;

/**
 * OTel severity range name of a row (of raw logs or of their rollups, which name the
 * severity columns alike): TRACE 1–4, DEBUG 5–8, INFO 9–12, WARN 13–16, ERROR 17–20,
 * FATAL 21–24; without a number, the upper-cased text or UNSPECIFIED.
 */
export const SEVERITY_NAME = `multiIf(${NUMBER} = 0, if(${TEXT} = '', 'UNSPECIFIED', upperUTF8(${TEXT})),
  ${NUMBER} <= 4, 'TRACE', ${NUMBER} <= 8, 'DEBUG', ${NUMBER} <= 12, 'INFO', ${NUMBER} <= 16, 'WARN',
  ${NUMBER} <= 20, 'ERROR', 'FATAL')`;

/** `n` log records. */
export function logCount(source: Resolution): string {
  return source === 'raw' ? 'count() AS n' : `sum(${R.Count}) AS n`;
}

export interface VolumeRow {
  bucket: number;
  severity: string;
  count: number;
}

/** Pure: one point per step of the range, with its total and counts by severity. */
export function volumeSeries(
  rows: readonly VolumeRow[],
  fromMs: number,
  toMs: number,
  stepMs: number,
): LogVolumePointDto[] {
  const points = new Map(
    bucketStarts(fromMs, toMs, stepMs).map((t) => [t, { t, total: 0, bySeverity: {} as Record<string, number> }]),
  );
  for (const r of rows) {
    const p = points.get(r.bucket);
    if (!p) continue;
    p.total += r.count;
    p.bySeverity[r.severity] = (p.bySeverity[r.severity] ?? 0) + r.count;
  }
  return [...points.values()];
}
