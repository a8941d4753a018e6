// OTLP/JSON lines, as the OpenTelemetry Collector's file exporter writes them: one
// ExportTraceServiceRequest (or ExportLogsServiceRequest) per line, holding one span (or
// log record) with its resource and scope. ClickHouse builds each line from the stored
// columns; attribute values get back their OTLP type from the stored types (otlp/attributes.ts).

/** An AnyValue object from a stored text `v` and its stored type `t` (both SQL expressions). */
function anyValue(v: string, t: string): string {
  return `multiIf(
    ${t} = 'int', concat('{"intValue":', toJSONString(${v}), '}'),
    ${t} = 'double', concat('{"doubleValue":', if(${v} IN ('NaN', 'Infinity', '-Infinity'), toJSONString(${v}), ${v}), '}'),
    ${t} = 'bool', concat('{"boolValue":', if(${v} = 'true', 'true', 'false'), '}'),
    ${t} IN ('array', 'kvlist'), ${v},
    ${t} = 'bytes', concat('{"bytesValue":', toJSONString(${v}), '}'),
    ${t} = 'empty', '{}',
    concat('{"stringValue":', toJSONString(${v}), '}'))`;
}

/** A KeyValue list from a stored attribute map and its types map; `k` names the lambda variable. */
function keyValues(values: string, types: string, k: string): string {
  return `concat('[', arrayStringConcat(arrayMap(${k} -> concat('{"key":', toJSONString(toString(${k})), ',"value":',
    ${anyValue(`${values}[${k}]`, `${types}[${k}]`)}, '}'), mapKeys(${values})), ','), ']')`;
}

const hexOrEmpty = (c: string, zero: string) => `if(${c} = unhex('${zero}'), '', lower(hex(${c})))`;
const nanos = (c: string) => `toString(toUnixTimestamp64Nano(${c}))`;

const envelope = (
  inner: string,
) => `'{"resource":{"attributes":', ${keyValues('ResourceAttributes', 'ResourceAttributeTypes', 'rk')},
  '},"schemaUrl":', toJSONString(toString(ResourceSchemaUrl)), ',"${inner}":[{"scope":{"name":', toJSONString(toString(ScopeName)),
  ',"version":', toJSONString(toString(ScopeVersion)), ',"attributes":', ${keyValues('ScopeAttributes', 'ScopeAttributeTypes', 'sk')}, '}'`;

const SPAN_KINDS = `['SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'], [1, 2, 3, 4, 5]`;
const STATUS_CODES = `['STATUS_CODE_OK', 'STATUS_CODE_ERROR'], [1, 2]`;

/** The one column of an OTLP/JSON trace line: the span with its events (links are not exported). */
export const SPAN_LINE = `concat('{"resourceSpans":[', ${envelope('scopeSpans')}, ',"spans":[{"traceId":"', lower(hex(TraceId)),
  '","spanId":"', lower(hex(SpanId)), '","parentSpanId":"', ${hexOrEmpty('ParentSpanId', '0000000000000000')},
  '","traceState":', toJSONString(TraceState), ',"flags":', toString(Flags), ',"name":', toJSONString(toString(Name)),
  ',"kind":', toString(transform(toString(Kind), ${SPAN_KINDS}, 0)),
  ',"startTimeUnixNano":"', ${nanos('StartTime')}, '","endTimeUnixNano":"', ${nanos('EndTime')},
  '","attributes":', ${keyValues('Attributes', 'AttributeTypes', 'ak')}, ',"droppedAttributesCount":', toString(DroppedAttributesCount),
  ',"events":[', arrayStringConcat(arrayMap((et, en, ea, eat) -> concat('{"timeUnixNano":"', toString(toUnixTimestamp64Nano(et)),
     '","name":', toJSONString(toString(en)), ',"attributes":', ${keyValues('ea', 'eat', 'ek')}, '}'),
     EventTimes, EventNames, EventAttributes, EventAttributeTypes), ','),
  '],"droppedEventsCount":', toString(DroppedEventsCount),
  ',"status":{"code":', toString(transform(toString(StatusCode), ${STATUS_CODES}, 0)), ',"message":', toJSONString(StatusMessage),
  '}}]}]}]}') AS line`;

/** The one column of an OTLP/JSON log line. */
export const LOG_LINE = `concat('{"resourceLogs":[', ${envelope('scopeLogs')}, ',"logRecords":[{"timeUnixNano":"', ${nanos('Timestamp')},
  '","observedTimeUnixNano":"', ${nanos('ObservedTimestamp')}, '","severityNumber":', toString(SeverityNumber),
  ',"severityText":', toJSONString(toString(SeverityText)), ',"body":', ${anyValue('Body', 'toString(BodyType)')},
  ',"attributes":', ${keyValues('Attributes', 'AttributeTypes', 'ak')}, ',"droppedAttributesCount":', toString(DroppedAttributesCount),
  ',"flags":', toString(Flags), ',"traceId":"', ${hexOrEmpty('TraceId', '00000000000000000000000000000000')},
  '","spanId":"', ${hexOrEmpty('SpanId', '0000000000000000')}, '"}]}]}]}') AS line`;
