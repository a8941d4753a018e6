// Log volume per step and severity over a query plan (raw logs and volume rollups).
import type { LogVolumePointDto } from '@telemetryflow/contract';
import { bucketStarts } from '../metrics/metric-math.js';
import type { Resolution } from '../planner/query-plan.js';

/**
 * OTel severity range name of a row: TRACE 1–4, DEBUG 5–8, INFO 9–12, WARN 13–16, ERROR
 * 17–20, FATAL 21–24; without a number, the upper-cased text or UNSPECIFIED.
 */
export const SEVERITY_NAME = `multiIf(SeverityNumber = 0, if(SeverityText = '', 'UNSPECIFIED', upperUTF8(SeverityText)),
  SeverityNumber <= 4, 'TRACE', SeverityNumber <= 8, 'DEBUG', SeverityNumber <= 12, 'INFO', SeverityNumber <= 16, 'WARN',
  SeverityNumber <= 20, 'ERROR', 'FATAL')`;

/** `n` log records. */
export function logCount(source: Resolution): string {
  return source === 'raw' ? 'count() AS n' : 'sum(Count) AS n';
}

export interface VolumeRow {
  bucket: number;
  severity: string;
  count: number;
}

/** Pure: one point per step of the range, with its total and counts by severity. */
export function volumeSeries(rows: readonly VolumeRow[], fromMs: number, toMs: number, stepMs: number): LogVolumePointDto[] {
  const points = new Map(bucketStarts(fromMs, toMs, stepMs).map((t) => [t, { t, total: 0, bySeverity: {} as Record<string, number> }]));
  for (const r of rows) {
    const p = points.get(r.bucket);
    if (!p) continue;
    p.total += r.count;
    p.bySeverity[r.severity] = (p.bySeverity[r.severity] ?? 0) + r.count;
  }
  return [...points.values()];
}
