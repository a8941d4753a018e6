import type { AnyValueJson, LogDto } from '@telemetryflow/contract';
import { anyValueText } from '../traces/attribute-text.js';

/** OTel severity ranges (severity number 1–24) and the colour each is shown in. */
export const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export const SEVERITY_COLORS: Record<string, string> = {
  TRACE: '#8a8a8a',
  DEBUG: '#4098fc',
  INFO: '#18a058',
  WARN: '#f0a020',
  ERROR: '#d03050',
  FATAL: '#7a0b2e',
  UNSPECIFIED: '#b0b0b0',
};

export function severityName(log: Pick<LogDto, 'severityNumber' | 'severityText'>): string {
  if (log.severityNumber >= 1 && log.severityNumber <= 24) return SEVERITIES[Math.floor((log.severityNumber - 1) / 4)]!;
  return log.severityText ? log.severityText.toUpperCase() : 'UNSPECIFIED';
}

function toPlain(v: AnyValueJson): unknown {
  if ('kvlistValue' in v) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, toPlain(kv.value)]));
  if ('arrayValue' in v) return v.arrayValue.values.map(toPlain);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  return anyValueText(v);
}

/** The one-line body of the table row. */
export function bodyLine(body: AnyValueJson): string {
  return anyValueText(body).replace(/\s+/g, ' ');
}

/** The body of an expanded row: JSON (a JSON string, or a structured body) pretty-printed, else as sent. */
export function prettyBody(body: AnyValueJson): string {
  if ('kvlistValue' in body || 'arrayValue' in body) return JSON.stringify(toPlain(body), null, 2);
  const text = anyValueText(body);
  const trimmed = text.trim();
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
