import type { LogDto } from '@telemetryflow/schemas';
import { storedToAnyValueJson, storedToKeyValuesJson } from '@telemetryflow/schemas';
import { idOrEmpty, type AttributedRow } from '../clickhouse-rows.js';
import { invalidParameter } from '../http/api-error.js';
import { searchWords } from './text-search.js';
import { parseHexId, parseInteger, parseString, parseTimeRange, type RawParams, type TimeRange } from '../request-params.js';

export interface LogSearch extends TimeRange {
  /** Lower-cased whole words that must all appear in the body. */
  words: string[];
  service?: string;
  severity?: string;
  traceId?: string;
  limit: number;
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;
const MAX_WORDS = 16;

/**
 * SQL condition (bound parameter `param`, never the word itself) that the log body holds
 * the word bound to it (already lower-cased) as a whole token. The match is on `lowerUTF8(Body)`, so
 * "Éclair" is found by "éclair" (ClickHouse's `lower()` folds ASCII only), and it is the
 * expression of the `tokenbf_v1` skip index on logs, which prunes granules for every word.
 */
export function bodyWordCondition(param: string): string {
  return `hasToken(lowerUTF8(Body), {${param}:String})`;
}

export function parseLogSearch(q: RawParams, nowMs = Date.now()): LogSearch {
  const text = parseString(q, 'q');
  const words = text === undefined ? [] : searchWords(text);
  if (words.length > MAX_WORDS) throw invalidParameter('q', `at most ${MAX_WORDS} words`);
  const service = parseString(q, 'service');
  const severity = parseString(q, 'severity', 64);
  const traceIdRaw = parseString(q, 'traceId');
  return {
    ...parseTimeRange(q, nowMs),
    words,
    ...(service !== undefined ? { service } : {}),
    ...(severity !== undefined ? { severity } : {}),
    ...(traceIdRaw !== undefined ? { traceId: parseHexId(traceIdRaw, 'traceId', 16) } : {}),
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
    scope: { name: r.ScopeName, version: r.ScopeVersion },
  };
}
