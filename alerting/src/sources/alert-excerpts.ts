// What a notification shows besides labels and values for log and span rules: the latest
// matching log lines, or the span errors' most frequent status messages, over the rule's
// window — read with bound parameters, a few short lines, under a deadline.
import { durationMs, type AlertRuleInput } from '@telemetryflow/contract';
import {
  LOG_COLUMNS as L,
  RAW_TABLES,
  SPAN_COLUMNS as S,
  TENANT_COLUMN,
  TIME_COLUMNS,
} from '@telemetryflow/clickhouse';
import type { LimitedReader } from './query-reads.js';

/** The error description of a span (OTLP `status.message`); not among the read catalog's span columns. */
const STATUS_MESSAGE = 'StatusMessage';
const ERROR_STATUS = 'STATUS_CODE_ERROR';

export interface ExcerptOptions {
  /** Lines per alert (default 5). */
  maxLines?: number;
  /** Characters per line (default 300). */
  maxChars?: number;
  /** An excerpt not read within this is left out (default 2 s). */
  timeoutMs?: number;
}

export interface AlertExcerpts {
  /** Lines for an alert of `rule` with these group labels at `nowMs`; [] for rules of other kinds. */
  excerpt(tenant: string, rule: AlertRuleInput, labels: Record<string, string>, nowMs: number): Promise<string[]>;
}

/** The SELECT of an excerpt, or null when the rule's kind has none. */
export function excerptQuery(
  tenant: string,
  rule: AlertRuleInput,
  labels: Record<string, string>,
  nowMs: number,
  opts: Required<Omit<ExcerptOptions, 'timeoutMs'>>,
): { query: string; params: Record<string, unknown> } | null {
  const c = rule.condition;
  if (c.kind !== 'log_count' && c.kind !== 'span') return null;
  const logs = c.kind === 'log_count';
  const time = logs ? TIME_COLUMNS.logs : TIME_COLUMNS.spans;
  const params: Record<string, unknown> = {
    tenant,
    fromMs: nowMs - durationMs(c.window),
    toMs: nowMs,
    lines: opts.maxLines,
    chars: opts.maxChars,
  };
  const where = [
    `${TENANT_COLUMN} = {tenant:String}`,
    `${time} > fromUnixTimestamp64Milli({fromMs:Int64})`,
    `${time} <= fromUnixTimestamp64Milli({toMs:Int64})`,
  ];
  // A group's own labels narrow the excerpt to it (the alert's labels also hold the rule's severity).
  const group = (name: string) => (rule.groupBy.includes(name) ? labels[name] : undefined);
  const service = c.service ?? group('service');
  if (service !== undefined) {
    where.push(`${logs ? L.ServiceName : S.ServiceName} = {service:String}`);
    params.service = service;
  }
  if (c.kind === 'log_count') {
    const severity = c.severity ?? group('severity');
    if (severity !== undefined) {
      where.push(`lower(${L.SeverityText}) = lower({severity:String})`);
      params.severity = severity;
    }
    (c.search ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 20)
      .forEach((word, i) => {
        where.push(`positionCaseInsensitiveUTF8(${L.Body}, {w${i}:String}) > 0`);
        params[`w${i}`] = word;
      });
    return {
      query: `SELECT toString(${time}) AS t, ${L.SeverityText} AS severity, substringUTF8(${L.Body}, 1, {chars:UInt32}) AS line
        FROM ${RAW_TABLES.logs} WHERE ${where.join(' AND ')} ORDER BY ${time} DESC LIMIT {lines:UInt32}`,
      params,
    };
  }
  const operation = c.operation ?? group('operation');
  if (operation !== undefined) {
    where.push(`${S.Name} = {operation:String}`);
    params.operation = operation;
  }
  where.push(`${S.StatusCode} = {error:String}`);
  params.error = ERROR_STATUS;
  return {
    query: `SELECT substringUTF8(${STATUS_MESSAGE}, 1, {chars:UInt32}) AS line, count() AS n
      FROM ${RAW_TABLES.spans} WHERE ${where.join(' AND ')} GROUP BY line ORDER BY n DESC, line LIMIT {lines:UInt32}`,
    params,
  };
}

/** The text lines of an excerpt's rows. */
export function excerptLines(kind: 'log_count' | 'span', rows: Record<string, unknown>[]): string[] {
  if (kind === 'log_count')
    return rows.map((r) => `${String(r.t)} ${String(r.severity)} ${String(r.line)}`.replace(/[\r\n]+/g, ' '));
  return rows.map((r) => `${Number(r.n)}× ${String(r.line) || '(no status message)'}`.replace(/[\r\n]+/g, ' '));
}

export class ClickHouseAlertExcerpts implements AlertExcerpts {
  private readonly opts: Required<ExcerptOptions>;

  constructor(
    private readonly reader: LimitedReader,
    opts: ExcerptOptions = {},
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.opts = { maxLines: 5, maxChars: 300, timeoutMs: 2000, ...opts };
  }

  async excerpt(
    tenant: string,
    rule: AlertRuleInput,
    labels: Record<string, string>,
    nowMs: number,
  ): Promise<string[]> {
    const q = excerptQuery(tenant, rule, labels, nowMs, this.opts);
    if (!q) return [];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.opts.timeoutMs);
    });
    try {
      const rows = await Promise.race([this.reader.select<Record<string, unknown>>(q.query, q.params), deadline]);
      if (rows === null) {
        this.log(`alert excerpt of rule ${rule.name}: not read within ${this.opts.timeoutMs} ms; left out`);
        return [];
      }
      return excerptLines(rule.condition.kind as 'log_count' | 'span', rows);
    } catch (err) {
      this.log(`alert excerpt of rule ${rule.name}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
