import type { AnyValueJson, KeyValueJson } from '@telemetryflow/contract';
import type { AnyValue, Int64Like, KeyValue } from './otlp-types.js';

/**
 * Storage form of OTLP attributes. ClickHouse keeps two maps per attribute set:
 * `values` holds every value as text (what filters and skip indexes look at: an int
 * 200 is "200", a bool is "true"), and `types` records the OTLP type of every value
 * that is not a plain string, so the read API can give back exactly what was sent.
 * Arrays, kvlists and bytes are stored as their OTLP/JSON AnyValue text.
 */
export type StoredType = 'int' | 'double' | 'bool' | 'array' | 'kvlist' | 'bytes' | 'empty';

export interface StoredAttributes {
  values: Record<string, string>;
  types: Record<string, StoredType>;
}

/**
 * Strings decoded from protobuf may carry lone surrogates (invalid UTF-8 on the wire).
 * They are replaced with U+FFFD so that storage never sees malformed text.
 */
export function cleanString(s: string | null | undefined): string {
  if (!s) return '';
  return s.isWellFormed() ? s : s.toWellFormed();
}

export function int64ToString(v: Int64Like | null | undefined): string {
  if (v === null || v === undefined) return '0';
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)).toString() : '0';
  if (typeof v === 'string') return v;
  return v.toString();
}

/** JSON cannot hold NaN or infinities; OTLP/JSON writes them as strings. */
function doubleToJson(d: number): number | string {
  return Number.isFinite(d) ? d : String(d);
}

export function anyValueToJson(v: AnyValue | null | undefined): AnyValueJson {
  if (!v) return {};
  switch (v.value ?? presentField(v)) {
    case 'stringValue':
      return { stringValue: cleanString(v.stringValue) };
    case 'boolValue':
      return { boolValue: Boolean(v.boolValue) };
    case 'intValue':
      return { intValue: int64ToString(v.intValue) };
    case 'doubleValue':
      return { doubleValue: doubleToJson(Number(v.doubleValue ?? 0)) };
    case 'arrayValue':
      return { arrayValue: { values: (v.arrayValue?.values ?? []).map(anyValueToJson) } };
    case 'kvlistValue':
      return { kvlistValue: { values: keyValuesToJson(v.kvlistValue?.values) } };
    case 'bytesValue':
      return { bytesValue: Buffer.from(v.bytesValue ?? new Uint8Array(0)).toString('base64') };
    default:
      return {};
  }
}

/** For AnyValue objects that did not come from a protobufjs decoder (no oneof getter). */
function presentField(v: AnyValue): AnyValue['value'] {
  for (const f of [
    'stringValue',
    'boolValue',
    'intValue',
    'doubleValue',
    'arrayValue',
    'kvlistValue',
    'bytesValue',
  ] as const) {
    if (v[f] !== undefined && v[f] !== null) return f;
  }
  return undefined;
}

export function keyValuesToJson(kvs: KeyValue[] | null | undefined): KeyValueJson[] {
  return (kvs ?? []).map((kv) => ({ key: cleanString(kv.key), value: anyValueToJson(kv.value) }));
}

/** One AnyValue in storage form: its text and its type (undefined for strings). */
export function anyValueToStored(v: AnyValue | null | undefined): [string, StoredType | undefined] {
  if (!v) return ['', 'empty'];
  switch (v.value ?? presentField(v)) {
    case 'stringValue':
      return [cleanString(v.stringValue), undefined];
    case 'boolValue':
      return [v.boolValue ? 'true' : 'false', 'bool'];
    case 'intValue':
      return [int64ToString(v.intValue), 'int'];
    case 'doubleValue':
      return [String(Number(v.doubleValue ?? 0)), 'double'];
    case 'arrayValue':
      return [JSON.stringify(anyValueToJson(v)), 'array'];
    case 'kvlistValue':
      return [JSON.stringify(anyValueToJson(v)), 'kvlist'];
    case 'bytesValue':
      return [Buffer.from(v.bytesValue ?? new Uint8Array(0)).toString('base64'), 'bytes'];
    default:
      return ['', 'empty'];
  }
}

export function storedToAnyValueJson(text: string, type: StoredType | string | undefined): AnyValueJson {
  switch (type) {
    case undefined:
    case '':
      return { stringValue: text };
    case 'int':
      return { intValue: text };
    case 'double': {
      const d = Number(text);
      return { doubleValue: doubleToJson(d) };
    }
    case 'bool':
      return { boolValue: text === 'true' };
    case 'array':
    case 'kvlist':
      return JSON.parse(text) as AnyValueJson;
    case 'bytes':
      return { bytesValue: text };
    default:
      return {};
  }
}

export function keyValuesToStored(kvs: KeyValue[] | null | undefined): StoredAttributes {
  // No prototype: attribute keys such as "__proto__" or "constructor" are plain keys here.
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const types: Record<string, StoredType> = Object.create(null) as Record<string, StoredType>;
  if (!kvs) return { values, types };
  for (const kv of kvs) {
    const key = cleanString(kv.key);
    const [text, type] = anyValueToStored(kv.value);
    values[key] = text;
    if (type) types[key] = type;
    // A repeated key: the last value wins, and so must its type.
    else if (types[key] !== undefined) delete types[key];
  }
  return { values, types };
}

export function storedToKeyValuesJson(values: Record<string, string>, types: Record<string, string>): KeyValueJson[] {
  return Object.keys(values)
    .sort()
    .map((key) => ({
      key,
      value: storedToAnyValueJson(values[key] ?? '', Object.hasOwn(types, key) ? types[key] : undefined),
    }));
}
