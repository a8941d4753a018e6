/** OTLP/JSON form of an AnyValue, as the read API returns it. */
export type AnyValueJson =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number | string }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValueJson[] } }
  | { kvlistValue: { values: KeyValueJson[] } }
  | { bytesValue: string }
  | Record<string, never>;

export interface KeyValueJson {
  key: string;
  value: AnyValueJson;
}
