import type { RowBinaryWriter } from '@telemetryflow/clickhouse';
import { anyValueToStored, cleanString, type ExportLogsServiceRequest, type LogRecord } from '@telemetryflow/schemas';
import { encodeEnvelope, ItemWriter, writeAttributes, writeId, type EncodedEnvelope, type EncodedItems } from './field-writers.js';
import { ANY_TIME, resourceEnvelope, uint32, withScope, type TimeWindow } from './fields.js';
import { checkedLogFields } from './logs.js';
import { windowOf, type RowContext } from './row-batch.js';

/** One `logs` row as RowBinary: the bytes of encodeRowBinary over logRow, without the row. */
export function writeLog(w: RowBinaryWriter, tenantId: string, env: EncodedEnvelope, record: LogRecord, receivedAtNs: bigint, window: TimeWindow = ANY_TIME): void {
  const { time, observedAt, severity } = checkedLogFields(record, receivedAtNs, window);
  w.string(tenantId);
  w.uint64(time);
  w.uint64(observedAt);
  writeId(w, record.traceId, 16, 'trace_id', false);
  writeId(w, record.spanId, 8, 'span_id', false);
  w.uint32(uint32(record.flags));
  w.string(cleanString(record.severityText));
  w.uint8(severity);
  w.string(env.serviceName);
  w.string(cleanString(record.eventName));
  const [body, bodyType] = anyValueToStored(record.body);
  w.string(body);
  w.string(bodyType ?? '');
  w.raw(env.columns);
  writeAttributes(w, record.attributes);
  w.uint32(uint32(record.droppedAttributesCount));
}

/** A logs request → RowBinary `logs` rows, with the validation of logsRequestToRows. */
export function encodeLogsRequest(tenantId: string, request: ExportLogsServiceRequest, receivedAtNs: bigint, initialBytes: number, context: RowContext = {}): EncodedItems {
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
