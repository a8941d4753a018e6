import {
  ALERT_HISTORY_COLUMNS as H,
  insertJsonRows,
  RAW_TABLES,
  type ClickHouseClient,
} from '@telemetryflow/clickhouse';
import type { AlertHistoryEntryDto } from '@telemetryflow/contract';
import type { LimitedReader, QueryReads, ReadLimits } from '../sources/query-reads.js';

export interface HistoryEntry {
  tenantId: string;
  timeMs: number;
  ruleId: string;
  ruleName: string;
  groupKey: string;
  labels: Record<string, string>;
  event: 'evaluation' | 'transition' | 'notification';
  fromState?: string;
  toState?: string;
  value?: number | null;
  channelId?: string;
  /** ok / error (evaluations), sent / suppressed / retrying / failed (notifications). */
  outcome?: string;
  message?: string;
}

export interface HistoryFilter {
  fromMs: number;
  toMs: number;
  ruleId?: string;
  event?: HistoryEntry['event'];
  limit: number;
}

/** Evaluations, transitions and notifications in ClickHouse's `alert_history` (migration 0009). */
export class AlertHistory {
  private readonly reader: LimitedReader;
  /** What listing reads under, as every query of the API. */
  readonly limits: ReadLimits;

  constructor(
    private readonly ch: ClickHouseClient,
    reads: Pick<QueryReads, 'reader' | 'limits'>,
  ) {
    this.reader = reads.reader;
    this.limits = reads.limits;
  }

  async record(entries: readonly HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await insertJsonRows(
      this.ch,
      RAW_TABLES.alertHistory,
      entries.map((e) => ({
        TenantId: e.tenantId,
        Time: new Date(e.timeMs).toISOString(),
        RuleId: e.ruleId,
        RuleName: e.ruleName,
        GroupKey: e.groupKey,
        Labels: e.labels,
        Event: e.event,
        FromState: e.fromState ?? '',
        ToState: e.toState ?? '',
        Value: e.value ?? null,
        ChannelId: e.channelId ?? '',
        Outcome: e.outcome ?? '',
        Message: e.message ?? '',
      })),
      "async_insert = 0, date_time_input_format = 'best_effort'",
    );
  }

  /** Newest first. */
  async list(tenant: string, f: HistoryFilter): Promise<AlertHistoryEntryDto[]> {
    const where = [
      `${H.TenantId} = {tenant:String}`,
      `${H.Time} >= fromUnixTimestamp64Milli({fromMs:Int64})`,
      `${H.Time} <= fromUnixTimestamp64Milli({toMs:Int64})`,
    ];
    const params: Record<string, unknown> = { tenant, fromMs: f.fromMs, toMs: f.toMs, limit: f.limit };
    if (f.ruleId !== undefined) {
      where.push(`${H.RuleId} = {ruleId:UUID}`);
      params.ruleId = f.ruleId;
    }
    if (f.event !== undefined) {
      where.push(`${H.Event} = {event:String}`);
      params.event = f.event;
    }
    const rows = await this.reader.select<{
      t: string;
      ruleId: string;
      RuleName: string;
      GroupKey: string;
      Labels: Record<string, string>;
      Event: AlertHistoryEntryDto['event'];
      FromState: string;
      ToState: string;
      Value: number | null;
      ChannelId: string;
      Outcome: string;
      Message: string;
    }>(
      `SELECT toUnixTimestamp64Milli(${H.Time}) AS t, toString(${H.RuleId}) AS ruleId, ${H.RuleName}, ${H.GroupKey}, ${H.Labels}, ${H.Event}, ${H.FromState}, ${H.ToState}, ${H.Value}, ${H.ChannelId}, ${H.Outcome}, ${H.Message}
       FROM ${RAW_TABLES.alertHistory} WHERE ${where.join(' AND ')} ORDER BY ${H.Time} DESC LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({
      time: new Date(Number(r.t)).toISOString(),
      ruleId: r.ruleId,
      ruleName: r.RuleName,
      groupKey: r.GroupKey,
      labels: r.Labels,
      event: r.Event,
      fromState: r.FromState,
      toState: r.ToState,
      value: r.Value,
      channelId: r.ChannelId,
      outcome: r.Outcome,
      message: r.Message,
    }));
  }
}
