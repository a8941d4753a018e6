import { cleanString, keyValuesToStored, SPAN_KIND_NAMES, STATUS_CODE_NAMES, type ExportTraceServiceRequest, type Span } from '@telemetryflow/schemas';
import { ANY_TIME, envelopeColumns, idHex, InvalidItemError, nanos, resourceEnvelope, spanTimes, uint32, withScope, type Envelope, type TimeWindow } from './fields.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';

/** One `spans` row in INSERT_COLUMNS.spans order. Throws InvalidItemError for a span that cannot be stored. */
export function spanRow(tenantId: string, env: Envelope, span: Span, window: TimeWindow = ANY_TIME): unknown[] {
  const traceId = idHex(span.traceId, 16, 'trace_id', true);
  const spanId = idHex(span.spanId, 8, 'span_id', true);
  const parentSpanId = idHex(span.parentSpanId, 8, 'parent_span_id', false);
  const { startNs: start, endNs: end } = spanTimes(span.startTimeUnixNano, span.endTimeUnixNano, window);
  const attrs = keyValuesToStored(span.attributes);
  return [
    tenantId,
    traceId,
    spanId,
    parentSpanId,
    cleanString(span.traceState),
    uint32(span.flags),
    env.serviceName,
    cleanString(span.name),
    kindName(span),
    start,
    end,
    end - start,
    statusName(span),
    cleanString(span.status?.message),
    ...envelopeColumns(env),
    attrs.values,
    attrs.types,
    uint32(span.droppedAttributesCount),
    uint32(span.droppedEventsCount),
    uint32(span.droppedLinksCount),
    ...eventAndLinkColumns(span),
  ];
}

export function kindName(span: Span): string {
  return SPAN_KIND_NAMES[span.kind ?? 0] ?? SPAN_KIND_NAMES[0]!;
}

export function statusName(span: Span): string {
  return STATUS_CODE_NAMES[span.status?.code ?? 0] ?? STATUS_CODE_NAMES[0]!;
}

/** The twelve event and link columns that end a span row (EventTimesNs … LinkDroppedAttributesCounts). */
export function eventAndLinkColumns(span: Span): readonly unknown[] {
  const events = span.events ?? [];
  const links = span.links ?? [];
  // Most spans have neither events nor links: their twelve array columns share one empty array.
  if (events.length === 0 && links.length === 0) return NO_EVENTS_OR_LINKS;
  const eventAttrs = events.map((e) => keyValuesToStored(e.attributes));
  const linkAttrs = links.map((l) => keyValuesToStored(l.attributes));
  return [
    events.map((e) => nanos(e.timeUnixNano, 'event time_unix_nano')),
    events.map((e) => cleanString(e.name)),
    eventAttrs.map((a) => a.values),
    eventAttrs.map((a) => a.types),
    links.map((l) => idHex(l.traceId, 16, 'link trace_id', true)),
    links.map((l) => idHex(l.spanId, 8, 'link span_id', true)),
    links.map((l) => cleanString(l.traceState)),
    linkAttrs.map((a) => a.values),
    linkAttrs.map((a) => a.types),
    events.map((e) => uint32(e.droppedAttributesCount)),
    links.map((l) => uint32(l.flags)),
    links.map((l) => uint32(l.droppedAttributesCount)),
  ];
}

const EMPTY: readonly never[] = Object.freeze([]);
export const NO_EVENTS_OR_LINKS: readonly (readonly never[])[] = Array.from({ length: 12 }, () => EMPTY);

export function traceRequestToRows(tenantId: string, request: ExportTraceServiceRequest, context: RowContext = {}): RowBatch {
  const out = new RowBatchBuilder(context.refused);
  const window = windowOf(context);
  for (const rs of request.resourceSpans ?? []) {
    const res = resourceEnvelope(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans ?? []) {
      const env = withScope(res, ss.scope, ss.schemaUrl);
      for (const span of ss.spans ?? []) {
        try {
          out.add('spans', spanRow(tenantId, env, span, window));
          out.accept();
        } catch (err) {
          if (!(err instanceof InvalidItemError)) throw err;
          out.reject(`span: ${err.message}`);
        }
      }
    }
  }
  return out.build();
}
