import { anyValueToStored, cleanString, keyValuesToStored, type ExportLogsServiceRequest, type LogRecord } from '@telemetryflow/schemas';
import { ANY_TIME, envelopeColumns, idHex, InvalidItemError, nanos, resourceEnvelope, rowTime, uint32, withScope, type Envelope, type TimeWindow } from './fields.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';

/**
 * The validated time, observed time and severity of a log record. A record without
 * time_unix_nano is stored at its observed time, and one without an observed time is
 * observed when it was received (as the OTLP data model asks of receivers).
 */
export function checkedLogFields(record: LogRecord, receivedAtNs: bigint, window: TimeWindow): { time: bigint; observedAt: bigint; severity: number } {
  const observed = nanos(record.observedTimeUnixNano, 'observed_time_unix_nano');
  const observedAt = observed === 0n ? receivedAtNs : observed;
  const given = nanos(record.timeUnixNano, 'time_unix_nano');
  const time = given === 0n ? rowTime(observedAt, 'observed_time_unix_nano', window) : rowTime(given, 'time_unix_nano', window);
  const severity = Number(record.severityNumber ?? 0);
  if (!Number.isInteger(severity) || severity < 0 || severity > 24) {
    throw new InvalidItemError(`severity_number ${severity} is not an OTLP severity`);
  }
  return { time, observedAt, severity };
}

/** One `logs` row in INSERT_COLUMNS.logs order. Throws InvalidItemError for a record that cannot be stored. */
export function logRow(tenantId: string, env: Envelope, record: LogRecord, receivedAtNs: bigint, window: TimeWindow = ANY_TIME): unknown[] {
  const { time, observedAt, severity } = checkedLogFields(record, receivedAtNs, window);
  const [body, bodyType] = anyValueToStored(record.body);
  const attrs = keyValuesToStored(record.attributes);
  return [
    tenantId,
    time,
    observedAt,
    idHex(record.traceId, 16, 'trace_id', false),
    idHex(record.spanId, 8, 'span_id', false),
    uint32(record.flags),
    cleanString(record.severityText),
    severity,
    env.serviceName,
    cleanString(record.eventName),
    body,
    bodyType ?? '',
    ...envelopeColumns(env),
    attrs.values,
    attrs.types,
    uint32(record.droppedAttributesCount),
  ];
}

export function logsRequestToRows(tenantId: string, request: ExportLogsServiceRequest, receivedAtNs: bigint, context: RowContext = {}): RowBatch {
  const out = new RowBatchBuilder(context.refused);
  const window = windowOf(context);
  for (const rl of request.resourceLogs ?? []) {
    const res = resourceEnvelope(rl.resource, rl.schemaUrl);
    for (const sl of rl.scopeLogs ?? []) {
      const env = withScope(res, sl.scope, sl.schemaUrl);
      for (const record of sl.logRecords ?? []) {
        try {
          out.add('logs', logRow(tenantId, env, record, receivedAtNs, window));
          out.accept();
        } catch (err) {
          if (!(err instanceof InvalidItemError)) throw err;
          out.reject(`log record: ${err.message}`);
        }
      }
    }
  }
  return out.build();
}
