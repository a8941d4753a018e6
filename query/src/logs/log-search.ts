import { SEVERITY_LEVELS, type LogDto, type SeverityName } from '@telemetryflow/contract';
import { storedToAnyValueJson, storedToKeyValuesJson } from '@telemetryflow/otlp';
import { idOrEmpty, scopeDto, type AttributedRow } from '../clickhouse-rows.js';
import { invalidParameter } from '@telemetryflow/http-kit';
import { parseTextSearch } from './text-search.js';
import { attributeParams, decodeCursor, type PageCursor } from '../page-cursor.js';
import {
  parseHexId,
  parseInteger,
  parseString,
  parseTimeRange,
  type RawParams,
  type TimeRange,
} from '../request-params.js';

export interface LogSearch extends TimeRange {
  /** Free text: words, "phrases" and prefix* terms. */
  text?: string;
  service?: string;
  severity?: string;
  minSeverity?: number;
  traceId?: string;
  /** `attr.<key>` / `resource.<key>` equalities. */
  attributes: { label: string; value: string }[];
  cursor?: PageCursor;
  limit: number;
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;

/** `minSeverity`: a number 1–24 or an OTel range name → its lowest severity number. */
export function parseMinSeverity(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (upper in SEVERITY_LEVELS) return SEVERITY_LEVELS[upper as SeverityName];
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 24))
    throw invalidParameter('minSeverity', 'must be 1–24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL');
  return n;
}

export function parseLogSearch(q: RawParams, nowMs = Date.now()): LogSearch {
  const text = parseString(q, 'q');
  // Validates the terms (count) before any query runs.
  parseTextSearch(text);
  const service = parseString(q, 'service');
  const severity = parseString(q, 'severity', 64);
  const minSeverity = parseMinSeverity(parseString(q, 'minSeverity', 16));
  const traceIdRaw = parseString(q, 'traceId');
  const cursor = decodeCursor(parseString(q, 'cursor', 512), 'newest');
  return {
    ...parseTimeRange(q, nowMs),
    ...(text !== undefined ? { text } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(severity !== undefined ? { severity } : {}),
    ...(minSeverity !== undefined ? { minSeverity } : {}),
    ...(traceIdRaw !== undefined ? { traceId: parseHexId(traceIdRaw, 'traceId', 16) } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    attributes: attributeParams(q),
    limit: parseInteger(q, 'limit', 1, MAX_LOG_LIMIT) ?? DEFAULT_LOG_LIMIT,
  };
}

export interface LogRow extends AttributedRow {
  timeNs: string;
  observedNs: string;
  SeverityNumber: number;
  SeverityText: string;
  Body: string;
  BodyType: string;
  ServiceName: string;
  traceId: string;
  spanId: string;
  EventName: string;
  Flags: number | string;
  DroppedAttributesCount: number | string;
}

export function logRowToDto(r: LogRow): LogDto {
  return {
    timeUnixNano: r.timeNs,
    observedTimeUnixNano: r.observedNs,
    severityNumber: Number(r.SeverityNumber),
    severityText: r.SeverityText,
    body: storedToAnyValueJson(r.Body, r.BodyType),
    serviceName: r.ServiceName,
    traceId: idOrEmpty(r.traceId),
    spanId: idOrEmpty(r.spanId),
    attributes: storedToKeyValuesJson(r.Attributes, r.AttributeTypes),
    resource: storedToKeyValuesJson(r.ResourceAttributes, r.ResourceAttributeTypes),
    scope: scopeDto(r),
    eventName: r.EventName,
    flags: Number(r.Flags),
    droppedAttributesCount: Number(r.DroppedAttributesCount),
  };
}
