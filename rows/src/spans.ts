import { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from '@telemetryflow/contract';
import { cleanString, keyValuesToStored, type ExportTraceServiceRequest, type Span } from '@telemetryflow/otlp';
import type { SpanRow } from './columns.js';
import {
  ANY_TIME,
  envelopeColumns,
  idHex,
  InvalidItemError,
  nanos,
  resourceEnvelope,
  spanTimes,
  uint32,
  withScope,
  type Envelope,
  type TimeWindow,
} from './fields.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';
import { writeSpanColumns, type SpanColumnWriter } from './span-columns.js';

/** What a span encoder writes a row from: the span and what it takes from its request. */
export interface SpanSource<E = Envelope> {
  tenantId: string;
  env: E;
  span: Span;
  window: TimeWindow;
}

/** The object path's `spans` column writer: each group's values, appended to a row array. */
const SPAN_VALUES: SpanColumnWriter<unknown[], SpanSource> = {
  tenantId: (row, s) => void row.push(s.tenantId),
  traceId: (row, s) => void row.push(idHex(s.span.traceId, 16, 'trace_id', true)),
  spanId: (row, s) => void row.push(idHex(s.span.spanId, 8, 'span_id', true)),
  parentSpanId: (row, s) => void row.push(idHex(s.span.parentSpanId, 8, 'parent_span_id', false)),
  traceState: (row, s) => void row.push(cleanString(s.span.traceState)),
  flags: (row, s) => void row.push(uint32(s.span.flags)),
  serviceName: (row, s) => void row.push(s.env.serviceName),
  name: (row, s) => void row.push(cleanString(s.span.name)),
  kind: (row, s) => void row.push(kindName(s.span)),
  times: (row, s) => {
    const { startNs, endNs } = spanTimes(s.span.startTimeUnixNano, s.span.endTimeUnixNano, s.window);
    row.push(startNs, endNs, endNs - startNs);
  },
  statusCode: (row, s) => void row.push(statusName(s.span)),
  statusMessage: (row, s) => void row.push(cleanString(s.span.status?.message)),
  envelope: (row, s) => void row.push(...envelopeColumns(s.env)),
  attributes: (row, s) => {
    const attrs = keyValuesToStored(s.span.attributes);
    row.push(attrs.values, attrs.types);
  },
  droppedAttributesCount: (row, s) => void row.push(uint32(s.span.droppedAttributesCount)),
  droppedEventsCount: (row, s) => void row.push(uint32(s.span.droppedEventsCount)),
  droppedLinksCount: (row, s) => void row.push(uint32(s.span.droppedLinksCount)),
  eventsAndLinks: (row, s) => void row.push(...eventAndLinkColumns(s.span)),
};

/** The span spanRow is writing: one object for every call. */
const current: SpanSource = {
  tenantId: '',
  env: withScope(resourceEnvelope(undefined, undefined), undefined, undefined),
  span: {},
  window: ANY_TIME,
};

/** One `spans` row. Throws InvalidItemError for a span that cannot be stored. */
export function spanRow(tenantId: string, env: Envelope, span: Span, window: TimeWindow = ANY_TIME): SpanRow {
  current.tenantId = tenantId;
  current.env = env;
  current.span = span;
  current.window = window;
  const row: unknown[] = [];
  writeSpanColumns(row, SPAN_VALUES, current);
  return row as SpanRow;
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

export function traceRequestToRows(
  tenantId: string,
  request: ExportTraceServiceRequest,
  context: RowContext = {},
): RowBatch {
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
