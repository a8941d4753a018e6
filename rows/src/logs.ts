import {
  anyValueToStored,
  cleanString,
  keyValuesToStored,
  type ExportLogsServiceRequest,
  type LogRecord,
} from '@telemetryflow/otlp';
import type { LogRow } from './columns.js';
import {
  ANY_TIME,
  envelopeColumns,
  idHex,
  InvalidItemError,
  nanos,
  resourceEnvelope,
  rowTime,
  uint32,
  withScope,
  type Envelope,
  type TimeWindow,
} from './fields.js';
import { writeLogColumns, type LogColumnWriter } from './log-columns.js';
import { RowBatchBuilder, windowOf, type RowBatch, type RowContext } from './row-batch.js';

/**
 * The validated time, observed time and severity of a log record. A record without
 * time_unix_nano is stored at its observed time, and one without an observed time is
 * observed when it was received (as the OTLP data model asks of receivers).
 */
export function checkedLogFields(
  record: LogRecord,
  receivedAtNs: bigint,
  window: TimeWindow,
): { time: bigint; observedAt: bigint; severity: number } {
  const observed = nanos(record.observedTimeUnixNano, 'observed_time_unix_nano');
  const observedAt = observed === 0n ? receivedAtNs : observed;
  const given = nanos(record.timeUnixNano, 'time_unix_nano');
  const time =
    given === 0n ? rowTime(observedAt, 'observed_time_unix_nano', window) : rowTime(given, 'time_unix_nano', window);
  const severity = Number(record.severityNumber ?? 0);
  if (!Number.isInteger(severity) || severity < 0 || severity > 24) {
    throw new InvalidItemError(`severity_number ${severity} is not an OTLP severity`);
  }
  return { time, observedAt, severity };
}

/** What a log encoder writes a row from: the record, its checked fields and what it takes from its request. */
export interface LogSource<E = Envelope> {
  tenantId: string;
  env: E;
  record: LogRecord;
  /** checkedLogFields of the record, computed before any column is written. */
  checked: CheckedLogFields;
}

export type CheckedLogFields = ReturnType<typeof checkedLogFields>;

/** The object path's `logs` column writer: each group's values, appended to a row array. */
const LOG_VALUES: LogColumnWriter<unknown[], LogSource> = {
  tenantId: (row, s) => void row.push(s.tenantId),
  times: (row, s) => void row.push(s.checked.time, s.checked.observedAt),
  traceId: (row, s) => void row.push(idHex(s.record.traceId, 16, 'trace_id', false)),
  spanId: (row, s) => void row.push(idHex(s.record.spanId, 8, 'span_id', false)),
  flags: (row, s) => void row.push(uint32(s.record.flags)),
  severityText: (row, s) => void row.push(cleanString(s.record.severityText)),
  severityNumber: (row, s) => void row.push(s.checked.severity),
  serviceName: (row, s) => void row.push(s.env.serviceName),
  eventName: (row, s) => void row.push(cleanString(s.record.eventName)),
  body: (row, s) => {
    const [body, bodyType] = anyValueToStored(s.record.body);
    row.push(body, bodyType ?? '');
  },
  envelope: (row, s) => void row.push(...envelopeColumns(s.env)),
  attributes: (row, s) => {
    const attrs = keyValuesToStored(s.record.attributes);
    row.push(attrs.values, attrs.types);
  },
  droppedAttributesCount: (row, s) => void row.push(uint32(s.record.droppedAttributesCount)),
};

/** The record logRow is writing: one object for every call. */
const current: LogSource = {
  tenantId: '',
  env: withScope(resourceEnvelope(undefined, undefined), undefined, undefined),
  record: {},
  checked: { time: 0n, observedAt: 0n, severity: 0 },
};

/** One `logs` row. Throws InvalidItemError for a record that cannot be stored. */
export function logRow(
  tenantId: string,
  env: Envelope,
  record: LogRecord,
  receivedAtNs: bigint,
  window: TimeWindow = ANY_TIME,
): LogRow {
  current.checked = checkedLogFields(record, receivedAtNs, window);
  current.tenantId = tenantId;
  current.env = env;
  current.record = record;
  const row: unknown[] = [];
  writeLogColumns(row, LOG_VALUES, current);
  return row as LogRow;
}

export function logsRequestToRows(
  tenantId: string,
  request: ExportLogsServiceRequest,
  receivedAtNs: bigint,
  context: RowContext = {},
): RowBatch {
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
