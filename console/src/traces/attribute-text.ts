import type { AnyValueJson, KeyValueJson } from '@telemetryflow/contract';

/** An OTLP/JSON value as the text a person reads. */
export function anyValueText(v: AnyValueJson): string {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) return `[${v.arrayValue.values.map(anyValueText).join(', ')}]`;
  if ('kvlistValue' in v)
    return `{${v.kvlistValue.values.map((kv) => `${kv.key}: ${anyValueText(kv.value)}`).join(', ')}}`;
  return '';
}

export function attributeRows(attrs: KeyValueJson[]): { key: string; value: string }[] {
  return attrs.map((a) => ({ key: a.key, value: anyValueText(a.value) })).sort((a, b) => a.key.localeCompare(b.key));
}
