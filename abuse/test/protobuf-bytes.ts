// OTLP protobuf written byte by byte, for what an encoder library will not produce: strings
// that are not UTF-8, fields the schema does not know, a field given twice, nesting ten
// thousand levels deep. Field numbers are those of opentelemetry-proto (common, trace,
// collector/trace v1).

const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  Fixed32 = 5,
}

function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function tag(field: number, type: WireType): Buffer {
  return varint((field << 3) | type);
}

export function lenField(field: number, bytes: Uint8Array | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  return Buffer.concat([tag(field, WireType.Len), varint(b.length), b]);
}

export function varintField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([tag(field, WireType.Varint), varint(value)]);
}

export function fixed64Field(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([tag(field, WireType.Fixed64), b]);
}

/** One unknown field of every wire type, numbered beyond anything OTLP defines. */
export function unknownFields(): Buffer {
  const fixed32 = Buffer.alloc(4);
  fixed32.writeUInt32LE(0xdeadbeef);
  return Buffer.concat([
    varintField(9001, 42),
    fixed64Field(9002, 0x0123456789abcdefn),
    lenField(9003, 'a field from a future OTLP'),
    tag(9004, WireType.Fixed32),
    fixed32,
    lenField(9005, lenField(1, 'a nested message nobody knows')),
  ]);
}

/** AnyValue { string_value = 1 } */
export function anyString(value: Uint8Array | string): Buffer {
  return lenField(1, value);
}

/** KeyValue { key = 1; value = 2 } */
export function keyValue(key: Uint8Array | string, anyValue: Buffer): Buffer {
  return Buffer.concat([lenField(1, key), lenField(2, anyValue)]);
}

/**
 * An AnyValue nested `depth` levels deep: kvlist_value (6) → KeyValueList.values (1) →
 * KeyValue{key "k", value}, or array_value (5) → ArrayValue.values (1), around a string leaf
 * "leaf". Built from the inside out, without recursion.
 */
export function nestedAnyValue(kind: 'kvlist' | 'array', depth: number): Buffer {
  let value = anyString('leaf');
  for (let i = 0; i < depth; i++) {
    value = kind === 'kvlist' ? lenField(6, lenField(1, keyValue('k', value))) : lenField(5, lenField(1, value));
  }
  return value;
}

export interface SpanFields {
  traceId: Buffer;
  spanId: Buffer;
  /** The raw bytes of the name: anything, valid UTF-8 or not. */
  name: Uint8Array | string;
  startNs: bigint;
  endNs: bigint;
  /** Encoded KeyValue messages. */
  attributes?: Buffer[];
  /** Appended after the known fields (unknown or repeated fields). */
  extra?: Buffer;
}

/** Span { trace_id 1, span_id 2, name 5, kind 6 (SERVER), start 7, end 8, attributes 9 } */
export function span(f: SpanFields): Buffer {
  return Buffer.concat([
    lenField(1, f.traceId),
    lenField(2, f.spanId),
    lenField(5, f.name),
    varintField(6, 2),
    fixed64Field(7, f.startNs),
    fixed64Field(8, f.endNs),
    ...(f.attributes ?? []).map((kv) => lenField(9, kv)),
    f.extra ?? Buffer.alloc(0),
  ]);
}

export interface ResourceSpansFields {
  service: string;
  spans: Buffer[];
  /** Appended inside the resource, the scope, the ScopeSpans and the ResourceSpans. */
  extra?: Buffer;
}

/** ResourceSpans { resource 1 { attributes 1 }, scope_spans 2 { scope 1 { name 1 }, spans 2 } } */
export function resourceSpans(f: ResourceSpansFields): Buffer {
  const extra = f.extra ?? Buffer.alloc(0);
  const resource = Buffer.concat([lenField(1, keyValue('service.name', anyString(f.service))), extra]);
  const scope = Buffer.concat([lenField(1, 'abuse-scope'), extra]);
  const scopeSpans = Buffer.concat([lenField(1, scope), ...f.spans.map((s) => lenField(2, s)), extra]);
  return Buffer.concat([lenField(1, resource), lenField(2, scopeSpans), extra]);
}

/** ExportTraceServiceRequest { resource_spans 1 } */
export function traceRequest(resources: Buffer[], extra: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([...resources.map((r) => lenField(1, r)), extra]);
}
