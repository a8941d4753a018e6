// OTLP/JSON → the plain object protobufjs's fromObject takes, value by value by the proto3
// JSON mapping (protobuf.dev/programming-guides/json) with OTLP's one exception (trace and
// span ids are hex). protobufjs's own fromObject converts whatever it is given: "abc" or
// "1.5" became a time of 0 or 1, -5 and 1e23 became 2⁶⁴−1, an object became an id. Here a
// value no proto3 JSON parser accepts refuses the span, log record or data point that holds
// it (OTLP partial success, naming the field), and outside items the whole request (400);
// a value of the wrong JSON type anywhere refuses the whole request (400).
import protobuf from 'protobufjs';

/** Items of a request refused while decoding, by reason (counted in the OTLP partial success). */
export interface RefusedItems {
  reason: string;
  count: number;
}

/**
 * A value the proto3 JSON mapping does not allow where it stands. Its path is built while it
 * propagates up (each level prepends its field), so valid requests build no path strings.
 */
class InvalidValue extends Error {
  private readonly segments: string[] = [];

  /** Prepends a field name or an `[index]`. */
  within(segment: string): this {
    this.segments.push(segment);
    return this;
  }

  get path(): string {
    let path = '';
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i]!;
      path += path && !segment.startsWith('[') ? `.${segment}` : segment;
    }
    return path;
  }
}

/**
 * A JSON value of a type the field can never take (an object for an id, a string for a
 * message, a number for a string): the document is not OTLP/JSON, so the whole request is
 * refused (400), as protobuf with a wrong wire type is; a value of the right JSON type
 * outside the field's domain ("abc" as a time) refuses only its item.
 */
class WrongJsonType extends InvalidValue {}

function wrongType(expected: string, json: unknown): WrongJsonType {
  return new WrongJsonType(`must be ${expected}, got ${describe(json)}`);
}

/** protobufjs's limit on message nesting when it decodes protobuf (and in fromObject). */
const MAX_DEPTH = protobuf.util.recursionLimit;

/** Bytes fields that OTLP/JSON writes as hex, not base64. */
const HEX_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** The repeated message fields whose elements are OTLP items, and how reasons name them. */
const ITEM_LABELS: Record<string, string> = {
  '.opentelemetry.proto.trace.v1.Span': 'span',
  '.opentelemetry.proto.logs.v1.LogRecord': 'log record',
  '.opentelemetry.proto.metrics.v1.NumberDataPoint': 'data point',
  '.opentelemetry.proto.metrics.v1.HistogramDataPoint': 'data point',
  '.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint': 'data point',
  '.opentelemetry.proto.metrics.v1.SummaryDataPoint': 'data point',
};
/** A metric refused as a whole (a bad name or temporality) refuses each of its data points. */
const METRIC = '.opentelemetry.proto.metrics.v1.Metric';

type Json = Record<string, unknown>;

type Scalar = 'string' | 'bool' | 'hex' | 'base64' | 'double' | 'int32' | 'uint32' | 'int64' | 'uint64';

const SCALARS: Record<string, Scalar> = {
  string: 'string',
  bool: 'bool',
  bytes: 'base64',
  double: 'double',
  float: 'double',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
};

/** How one field's JSON value is read, worked out once per field from protobufjs's reflection. */
interface FieldPlan {
  /** The lowerCamelCase name, the key fromObject takes. */
  name: string;
  /** The proto (snake_case) name, used in reasons. */
  protoName: string;
  repeated: boolean;
  /** Message fields: their type (its plan is made when first needed: types nest recursively). */
  messageType?: protobuf.Type;
  messagePlan?: TypePlan;
  enumType?: protobuf.Enum;
  scalar?: Scalar;
  /** The oneof of the field, when it has other members. */
  oneof?: string;
}

interface TypePlan {
  /** Both the lowerCamelCase JSON name and the proto name of every field. */
  byKey: Map<string, FieldPlan>;
  isMetric: boolean;
  /** Set when elements of this type are OTLP items (a bad value refuses only the item). */
  itemLabel: string | undefined;
}

const plans = new Map<protobuf.Type, TypePlan>();

function planOf(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const byKey = new Map<string, FieldPlan>();
  for (const field of type.fieldsArray) {
    const resolved = field.resolve().resolvedType;
    const fp: FieldPlan = {
      name: field.name,
      protoName: field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      repeated: field.repeated,
    };
    if (resolved instanceof protobuf.Type) fp.messageType = resolved;
    else if (resolved instanceof protobuf.Enum) fp.enumType = resolved;
    else {
      const scalar = SCALARS[field.type];
      if (!scalar) throw new Error(`unsupported field type ${field.type}`);
      fp.scalar = scalar === 'base64' && HEX_FIELDS.has(field.name) ? 'hex' : scalar;
    }
    if (field.partOf && field.partOf.fieldsArray.length > 1) fp.oneof = field.partOf.name;
    byKey.set(fp.name, fp);
    byKey.set(fp.protoName, fp);
  }
  plan = { byKey, isMetric: type.fullName === METRIC, itemLabel: ITEM_LABELS[type.fullName] };
  plans.set(type, plan);
  return plan;
}

function messagePlan(fp: FieldPlan): TypePlan {
  return (fp.messagePlan ??= planOf(fp.messageType!));
}

/** Where refusals are counted while one request is converted. */
class Refusals {
  readonly byReason = new Map<string, number>();
  total = 0;

  add(reason: string, count: number): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + count);
    this.total += count;
  }

  merge(other: Refusals): void {
    for (const [reason, count] of other.byReason) this.add(reason, count);
  }

  list(): RefusedItems[] {
    return [...this.byReason].map(([reason, count]) => ({ reason, count }));
  }
}

/**
 * The parsed JSON body of an Export*ServiceRequest as fromObject input, and the items that
 * were refused (left out of it). Throws MalformedJsonRequest for a value outside any item.
 */
export function convertOtlpJson(type: protobuf.Type, body: unknown): { object: Json; refused: RefusedItems[] } {
  const refusals = new Refusals();
  try {
    return { object: message(planOf(type), body, 0, refusals, ''), refused: refusals.list() };
  } catch (err) {
    if (err instanceof InvalidValue) throw new MalformedJsonRequest(`${err.path || 'request'}: ${err.message}`);
    throw err;
  }
}

/** A value outside any item is not valid OTLP/JSON: the request cannot be decoded. */
export class MalformedJsonRequest extends Error {}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function message(plan: TypePlan, json: unknown, depth: number, refusals: Refusals, metricName: string): Json {
  if (!isObject(json)) throw wrongType('a JSON object', json);
  if (depth > MAX_DEPTH) throw new InvalidValue(`nested deeper than ${MAX_DEPTH} messages`);
  const out: Json = {};
  let oneofs: Record<string, string> | undefined;
  if (plan.isMetric && typeof json.name === 'string') metricName = json.name;
  for (const key of Object.keys(json)) {
    const field = plan.byKey.get(key);
    // OTLP receivers ignore fields they do not know (newer senders).
    if (!field) continue;
    const value = json[key];
    // null leaves a field unset (proto3 JSON); a later key of the same field still wins.
    if (value === null) {
      delete out[field.name];
      continue;
    }
    try {
      if (field.oneof !== undefined) {
        oneofs ??= {};
        const other = oneofs[field.oneof];
        if (other !== undefined && other !== field.name)
          throw new InvalidValue(`is set together with ${other} (one of ${field.oneof})`);
        oneofs[field.oneof] = field.name;
      }
      out[field.name] = field.repeated
        ? repeated(field, value, depth, refusals, metricName)
        : single(field, value, depth, refusals, metricName);
    } catch (err) {
      throw err instanceof InvalidValue ? err.within(field.protoName) : err;
    }
  }
  return out;
}

function repeated(field: FieldPlan, json: unknown, depth: number, refusals: Refusals, metricName: string): unknown[] {
  if (!Array.isArray(json)) throw wrongType('a JSON array', json);
  const elements = field.messageType ? messagePlan(field) : undefined;
  const out: unknown[] = [];
  for (let i = 0; i < json.length; i++) {
    const element: unknown = json[i];
    if (elements?.itemLabel !== undefined) {
      // An item: a bad value refuses this item only.
      try {
        if (element === null) throw new InvalidValue('null is not allowed in a repeated field');
        out.push(message(elements, element, depth + 1, refusals, metricName));
      } catch (err) {
        if (!(err instanceof InvalidValue) || err instanceof WrongJsonType) throw err;
        const of = elements.itemLabel === 'data point' ? ` of ${JSON.stringify(metricName)}` : '';
        refusals.add(`${elements.itemLabel}${of}: ${reason(err)}`, 1);
      }
    } else if (elements?.isMetric) {
      const own = new Refusals();
      try {
        if (element === null) throw new InvalidValue('null is not allowed in a repeated field');
        out.push(message(elements, element, depth + 1, own, ''));
        refusals.merge(own);
      } catch (err) {
        if (!(err instanceof InvalidValue) || err instanceof WrongJsonType) throw err;
        const name = isObject(element) && typeof element.name === 'string' ? element.name : '';
        refusals.add(`metric ${JSON.stringify(name)}: ${reason(err)}`, dataPointCount(element));
      }
    } else {
      try {
        if (element === null) throw new InvalidValue('null is not allowed in a repeated field');
        out.push(single(field, element, depth, refusals, metricName));
      } catch (err) {
        throw err instanceof InvalidValue ? err.within(`[${i}]`) : err;
      }
    }
  }
  return out;
}

function reason(err: InvalidValue): string {
  const path = err.path;
  return path ? `${path}: ${err.message}` : err.message;
}

/** The data points a metric's JSON holds (at least one: a refused metric counts as one item). */
function dataPointCount(metric: unknown): number {
  if (!isObject(metric)) return 1;
  let n = 0;
  for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'exponential_histogram', 'summary']) {
    const body = metric[kind];
    const points = isObject(body) ? (body.dataPoints ?? body.data_points) : undefined;
    if (Array.isArray(points)) n += points.length;
  }
  return Math.max(1, n);
}

const INT32: Range = { min: -(2n ** 31n), max: 2n ** 31n - 1n, maxText: '2147483647', minText: '2147483648' };
const UINT32: Range = { min: 0n, max: 2n ** 32n - 1n, maxText: '4294967295', minText: undefined };
const INT64: Range = {
  min: -(2n ** 63n),
  max: 2n ** 63n - 1n,
  maxText: '9223372036854775807',
  minText: '9223372036854775808',
};
const UINT64: Range = { min: 0n, max: 2n ** 64n - 1n, maxText: '18446744073709551615', minText: undefined };

function single(field: FieldPlan, json: unknown, depth: number, refusals: Refusals, metricName: string): unknown {
  if (field.messageType) return message(messagePlan(field), json, depth + 1, refusals, metricName);
  if (field.enumType) return enumValue(field.enumType, json);
  switch (field.scalar) {
    case 'string':
      if (typeof json !== 'string') throw wrongType('a string', json);
      return json;
    case 'bool':
      if (typeof json !== 'boolean') throw wrongType('true or false', json);
      return json;
    case 'hex':
      return hexBytes(json);
    case 'base64':
      return base64Bytes(json);
    case 'double':
      return double(json);
    case 'int32':
      return Number(integer(json, INT32));
    case 'uint32':
      return Number(integer(json, UINT32));
    case 'int64':
      return integer(json, INT64);
    case 'uint64':
      return integer(json, UINT64);
  }
  throw new Error(`field ${field.name} has no known type`);
}

function enumValue(type: protobuf.Enum, json: unknown): number {
  if (typeof json === 'string') {
    const id = Object.hasOwn(type.values, json) ? type.values[json] : undefined;
    if (id === undefined) throw new InvalidValue(`${JSON.stringify(truncated(json))} is not a value of ${type.name}`);
    return id;
  }
  if (typeof json === 'number') return Number(integer(json, INT32));
  throw wrongType(`a ${type.name} name or number`, json);
}

interface Range {
  min: bigint;
  max: bigint;
  /** max and −min as decimal text, for the plain-digits fast path. */
  maxText: string;
  minText: string | undefined;
}

/** What proto3 JSON writers produce: optional minus, decimal digits, no leading zeros. */
const PLAIN = /^-?(?:0|[1-9]\d*)$/;
// A decimal number as proto3 JSON parsers take integers: sign, digits, a fraction, an exponent.
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Longer digit strings are refused unread (BigInt parsing is quadratic). */
const MAX_DIGITS = 400;

/**
 * An integer field's value, as the decimal text fromObject takes for every integer type: a
 * JSON number or a decimal string (exponent notation allowed, a fraction only when it is
 * zero), within the range.
 */
function integer(json: unknown, range: Range): string {
  if (typeof json === 'string' && PLAIN.test(json)) {
    // The usual case, without BigInts: compare the digits with the range's bounds.
    const negative = json.startsWith('-');
    const digits = negative ? json.slice(1) : json;
    const bound = negative ? range.minText : range.maxText;
    if (bound !== undefined && (digits.length < bound.length || (digits.length === bound.length && digits <= bound)))
      return json;
    if (negative && digits === '0') return '0';
    throw new InvalidValue(`${JSON.stringify(truncated(json))} is out of range`);
  }
  const value = integerValue(json);
  if (value < range.min || value > range.max)
    throw new InvalidValue(
      `${typeof json === 'string' ? JSON.stringify(truncated(json)) : String(json)} is out of range`,
    );
  return value.toString();
}

function integerValue(json: unknown): bigint {
  if (typeof json === 'number') {
    if (!Number.isInteger(json)) throw new InvalidValue(`${json} is not an integer`);
    return BigInt(json);
  }
  if (typeof json !== 'string') throw wrongType('an integer (a JSON number or a decimal string)', json);
  const m = DECIMAL.exec(json);
  if (!m || m[2]!.length + (m[3]?.length ?? 0) > MAX_DIGITS)
    throw new InvalidValue(`${JSON.stringify(truncated(json))} is not a decimal integer`);
  const digits = (m[2]! + (m[3] ?? '')).replace(/^0+(?=\d)/, '');
  const exponent = Number(m[4] ?? '0') - (m[3]?.length ?? 0);
  let value: bigint;
  if (/^0+$/.test(digits)) value = 0n;
  else if (exponent >= 0) {
    // Beyond 10^40 the value is out of every integer range; no need to build it.
    if (exponent + digits.length > 40) throw new InvalidValue(`${JSON.stringify(truncated(json))} is out of range`);
    value = BigInt(digits) * 10n ** BigInt(exponent);
  } else {
    const cut = digits.length + exponent;
    if (cut < 0 ? !/^0*$/.test(digits) : !/^0*$/.test(digits.slice(cut)))
      throw new InvalidValue(`${JSON.stringify(truncated(json))} is not an integer`);
    value = cut <= 0 ? 0n : BigInt(digits.slice(0, cut));
  }
  return m[1] === '-' ? -value : value;
}

const FLOAT_TEXT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function double(json: unknown): number {
  if (typeof json === 'number') return json;
  if (typeof json !== 'string') throw wrongType('a number, "NaN", "Infinity" or "-Infinity"', json);
  if (json === 'NaN') return NaN;
  if (json === 'Infinity') return Infinity;
  if (json === '-Infinity') return -Infinity;
  const n = FLOAT_TEXT.test(json) ? Number(json) : NaN;
  if (Number.isFinite(n)) return n;
  throw new InvalidValue(`must be a number, "NaN", "Infinity" or "-Infinity", got ${describe(json)}`);
}

function hexBytes(json: unknown): Uint8Array {
  if (typeof json !== 'string') throw wrongType('a hex string', json);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(json)) throw new InvalidValue(`must be a hex string, got ${describe(json)}`);
  return Buffer.from(json, 'hex');
}

function base64Bytes(json: unknown): Uint8Array {
  // Standard or URL-safe base64, with or without padding.
  if (typeof json !== 'string') throw wrongType('a base64 string', json);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(json) || json.replace(/=+$/, '').length % 4 === 1) {
    throw new InvalidValue(`must be a base64 string, got ${describe(json)}`);
  }
  return Buffer.from(json, 'base64');
}

function truncated(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(truncated(v));
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
