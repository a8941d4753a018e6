// The `logs` row, written once. Both log encoders — logRow's arrays (the object path) and
// writeLog's RowBinary (the fused path) — write their columns through writeLogColumns, so
// their order is this file's, checked against INSERT_COLUMNS.logs when the module loads.
import { checkColumnOrder, type ColumnWriter } from './columns.js';
import { ENVELOPE_COLUMNS } from './fields.js';

/** Groups of consecutive `logs` columns, in INSERT_COLUMNS.logs order. */
export const LOG_COLUMN_GROUPS = [
  ['tenantId', ['TenantId']],
  ['times', ['TimestampNs', 'ObservedTimestampNs']],
  ['traceId', ['TraceIdHex']],
  ['spanId', ['SpanIdHex']],
  ['flags', ['Flags']],
  ['severityText', ['SeverityText']],
  ['severityNumber', ['SeverityNumber']],
  ['serviceName', ['ServiceName']],
  ['eventName', ['EventName']],
  ['body', ['Body', 'BodyType']],
  ['envelope', ENVELOPE_COLUMNS],
  ['attributes', ['Attributes', 'AttributeTypes']],
  ['droppedAttributesCount', ['DroppedAttributesCount']],
] as const;

/** How one log encoder writes each group of `logs` columns into W from its source S. */
export type LogColumnWriter<W, S> = ColumnWriter<(typeof LOG_COLUMN_GROUPS)[number][0], W, S>;

/** One `logs` row: every group of columns, in INSERT_COLUMNS.logs order. */
export function writeLogColumns<W, S>(w: W, c: LogColumnWriter<W, S>, s: S): void {
  c.tenantId(w, s);
  c.times(w, s);
  c.traceId(w, s);
  c.spanId(w, s);
  c.flags(w, s);
  c.severityText(w, s);
  c.severityNumber(w, s);
  c.serviceName(w, s);
  c.eventName(w, s);
  c.body(w, s);
  c.envelope(w, s);
  c.attributes(w, s);
  c.droppedAttributesCount(w, s);
}

checkColumnOrder('logs', LOG_COLUMN_GROUPS, writeLogColumns);
