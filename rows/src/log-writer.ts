import type { RowBinaryWriter } from '@telemetryflow/clickhouse';
import { anyValueToStored, cleanString, type ExportLogsServiceRequest, type LogRecord } from '@telemetryflow/otlp';
import {
  encodeEnvelope,
  ItemWriter,
  writeAttributes,
  writeId,
  type EncodedEnvelope,
  type EncodedItems,
} from './field-writers.js';
import { ANY_TIME, resourceEnvelope, uint32, withScope, type TimeWindow } from './fields.js';
import { writeLogColumns, type LogColumnWriter } from './log-columns.js';
import { checkedLogFields, type LogSource } from './logs.js';
import { windowOf, type RowContext } from './row-batch.js';

/** The fused path's `logs` column writer: each group's RowBinary, straight from the decoded record. */
const LOG_BYTES: LogColumnWriter<RowBinaryWriter, LogSource<EncodedEnvelope>> = {
  tenantId: (w, s) => w.string(s.tenantId),
  times: (w, s) => {
    w.uint64(s.checked.time);
    w.uint64(s.checked.observedAt);
  },
  traceId: (w, s) => writeId(w, s.record.traceId, 16, 'trace_id', false),
  spanId: (w, s) => writeId(w, s.record.spanId, 8, 'span_id', false),
  flags: (w, s) => w.uint32(uint32(s.record.flags)),
  severityText: (w, s) => w.string(cleanString(s.record.severityText)),
  severityNumber: (w, s) => w.uint8(s.checked.severity),
  serviceName: (w, s) => w.string(s.env.serviceName),
  eventName: (w, s) => w.string(cleanString(s.record.eventName)),
  body: (w, s) => {
    const [body, bodyType] = anyValueToStored(s.record.body);
    w.string(body);
    w.string(bodyType ?? '');
  },
  envelope: (w, s) => w.raw(s.env.columns),
  attributes: (w, s) => writeAttributes(w, s.record.attributes),
  droppedAttributesCount: (w, s) => w.uint32(uint32(s.record.droppedAttributesCount)),
};

/** The record writeLog is writing: one object for every call, so a row allocates nothing more. */
const current: LogSource<EncodedEnvelope> = {
  tenantId: '',
  env: { serviceName: '', columns: new Uint8Array() },
  record: {},
  checked: { time: 0n, observedAt: 0n, severity: 0 },
};

/** One `logs` row as RowBinary: the bytes of encodeRowBinary over logRow, without the row. */
export function writeLog(
  w: RowBinaryWriter,
  tenantId: string,
  env: EncodedEnvelope,
  record: LogRecord,
  receivedAtNs: bigint,
  window: TimeWindow = ANY_TIME,
): void {
  current.checked = checkedLogFields(record, receivedAtNs, window);
  current.tenantId = tenantId;
  current.env = env;
  current.record = record;
  writeLogColumns(w, LOG_BYTES, current);
}

/** A logs request → RowBinary `logs` rows, with the validation of logsRequestToRows. */
export function encodeLogsRequest(
  tenantId: string,
  request: ExportLogsServiceRequest,
  receivedAtNs: bigint,
  initialBytes: number,
  context: RowContext = {},
): EncodedItems {
  const out = new ItemWriter(initialBytes, context.refused);
  const window = windowOf(context);
  for (const rl of request.resourceLogs ?? []) {
    const res = resourceEnvelope(rl.resource, rl.schemaUrl);
    for (const sl of rl.scopeLogs ?? []) {
      const env = encodeEnvelope(withScope(res, sl.scope, sl.schemaUrl));
      const write = (w: RowBinaryWriter, record: LogRecord) => writeLog(w, tenantId, env, record, receivedAtNs, window);
      for (const record of sl.logRecords ?? []) out.item('log record', write, record);
    }
  }
  return out.build();
}
