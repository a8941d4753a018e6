// The `spans` row, written once. Every span encoder — spanRow's arrays (the object path),
// writeSpan's RowBinary (the fused path) and the wire reader's RowBinary (span-wire.ts) —
// writes its columns through writeSpanColumns, so their order is this file's, and that
// order is checked against INSERT_COLUMNS.spans when the module loads.
import { checkColumnOrder, type ColumnWriter } from './columns.js';
import { ENVELOPE_COLUMNS } from './fields.js';

/** Groups of consecutive `spans` columns, in INSERT_COLUMNS.spans order. */
export const SPAN_COLUMN_GROUPS = [
  ['tenantId', ['TenantId']],
  ['traceId', ['TraceIdHex']],
  ['spanId', ['SpanIdHex']],
  ['parentSpanId', ['ParentSpanIdHex']],
  ['traceState', ['TraceState']],
  ['flags', ['Flags']],
  ['serviceName', ['ServiceName']],
  ['name', ['Name']],
  ['kind', ['Kind']],
  ['times', ['StartTimeNs', 'EndTimeNs', 'DurationNs']],
  ['statusCode', ['StatusCode']],
  ['statusMessage', ['StatusMessage']],
  ['envelope', ENVELOPE_COLUMNS],
  ['attributes', ['Attributes', 'AttributeTypes']],
  ['droppedAttributesCount', ['DroppedAttributesCount']],
  ['droppedEventsCount', ['DroppedEventsCount']],
  ['droppedLinksCount', ['DroppedLinksCount']],
  [
    'eventsAndLinks',
    [
      'EventTimesNs',
      'EventNames',
      'EventAttributes',
      'EventAttributeTypes',
      'LinkTraceIdsHex',
      'LinkSpanIdsHex',
      'LinkTraceStates',
      'LinkAttributes',
      'LinkAttributeTypes',
      'EventDroppedAttributesCounts',
      'LinkFlags',
      'LinkDroppedAttributesCounts',
    ],
  ],
] as const;

/** How one span encoder writes each group of `spans` columns into W from its source S. */
export type SpanColumnWriter<W, S> = ColumnWriter<(typeof SPAN_COLUMN_GROUPS)[number][0], W, S>;

/** One `spans` row: every group of columns, in INSERT_COLUMNS.spans order. */
export function writeSpanColumns<W, S>(w: W, c: SpanColumnWriter<W, S>, s: S): void {
  c.tenantId(w, s);
  c.traceId(w, s);
  c.spanId(w, s);
  c.parentSpanId(w, s);
  c.traceState(w, s);
  c.flags(w, s);
  c.serviceName(w, s);
  c.name(w, s);
  c.kind(w, s);
  c.times(w, s);
  c.statusCode(w, s);
  c.statusMessage(w, s);
  c.envelope(w, s);
  c.attributes(w, s);
  c.droppedAttributesCount(w, s);
  c.droppedEventsCount(w, s);
  c.droppedLinksCount(w, s);
  c.eventsAndLinks(w, s);
}

checkColumnOrder('spans', SPAN_COLUMN_GROUPS, writeSpanColumns);
