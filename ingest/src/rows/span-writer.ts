import { columnTypes, type RowBinaryWriter } from '@telemetryflow/clickhouse';
import { cleanString, type ExportTraceServiceRequest, type Span } from '@telemetryflow/schemas';
import { encodeEnvelope, ItemWriter, writeAttributes, writeId, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { nanos, resourceEnvelope, uint32, withScope } from './fields.js';
import { eventAndLinkColumns, kindName, statusName } from './spans.js';

const EVENT_AND_LINK_TYPES = columnTypes('spans').slice(-12);

/** One `spans` row as RowBinary: the bytes of encodeRowBinary over spanRow, without the row. */
export function writeSpan(w: RowBinaryWriter, tenantId: string, env: EncodedEnvelope, span: Span): void {
  w.string(tenantId);
  writeId(w, span.traceId, 16, 'trace_id', true);
  writeId(w, span.spanId, 8, 'span_id', true);
  writeId(w, span.parentSpanId, 8, 'parent_span_id', false);
  w.string(cleanString(span.traceState));
  w.uint32(uint32(span.flags));
  w.string(env.serviceName);
  w.string(cleanString(span.name));
  w.string(kindName(span));
  const start = nanos(span.startTimeUnixNano, 'start_time_unix_nano');
  const end = nanos(span.endTimeUnixNano, 'end_time_unix_nano');
  w.uint64(start);
  w.uint64(end);
  w.int64(end - start);
  w.string(statusName(span));
  w.string(cleanString(span.status?.message));
  w.raw(env.columns);
  writeAttributes(w, span.attributes);
  w.uint32(uint32(span.droppedAttributesCount));
  w.uint32(uint32(span.droppedEventsCount));
  w.uint32(uint32(span.droppedLinksCount));
  w.columns(EVENT_AND_LINK_TYPES, eventAndLinkColumns(span));
}

/** A traces request → RowBinary `spans` rows, with the validation of traceRequestToRows. */
export function encodeTraceRequest(tenantId: string, request: ExportTraceServiceRequest, initialBytes: number): EncodedItems {
  const out = new ItemWriter(initialBytes);
  for (const rs of request.resourceSpans ?? []) {
    const res = resourceEnvelope(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans ?? []) {
      const env = encodeEnvelope(withScope(res, ss.scope, ss.schemaUrl));
      const write = (w: RowBinaryWriter, span: Span) => writeSpan(w, tenantId, env, span);
      for (const span of ss.spans ?? []) out.item('span', write, span);
    }
  }
  return out.build();
}
