import type { InsertTable } from '@telemetryflow/clickhouse';
import type { RefusedItems } from '@telemetryflow/otlp';
import type { InsertRow } from './columns.js';
import { ANY_TIME, type TimeWindow } from './fields.js';

/** Rows of one table, each an array of values in INSERT_COLUMNS order. */
export type Rows<T extends InsertTable = InsertTable> = InsertRow<T>[];

/** Rows per table. */
export type TableRows = { [T in InsertTable]?: Rows<T> };

/** What one OTLP request turns into: rows per table, and the items that were refused. */
export interface RowBatch {
  tables: TableRows;
  accepted: number;
  rejected: number;
  errorMessage: string;
  /** Of `rejected`: data points of new series over the tenant's active-series quota. */
  rejectedOverQuota?: number;
}

/** What a request's items are checked against besides their own fields, and what was refused before. */
export interface RowContext {
  /** Where rows may start; default ANY_TIME (no retention cutoff). */
  window?: TimeWindow;
  /** Items the decoder refused (OTLP/JSON values of the wrong type): they count as rejected. */
  refused?: readonly RefusedItems[];
  /** Metrics: whether a series (by fingerprint) may be stored; its points are refused otherwise. */
  admitSeries?: (fingerprint: string) => boolean;
  /** Metrics: the data point objects refused by admitSeries are added here (to drop them from the request). */
  refusedPoints?: Set<object>;
}

export function windowOf(context: RowContext): TimeWindow {
  return context.window ?? ANY_TIME;
}

/** Collects rows per table and the reasons items were refused (the first few are reported). */
export class RowBatchBuilder {
  private readonly tables: TableRows = {};
  private accepted = 0;
  private rejected = 0;
  private overQuota = 0;
  private readonly reasons: string[] = [];

  constructor(refused: readonly RefusedItems[] = []) {
    for (const r of refused) this.reject(r.reason, r.count);
  }

  add<T extends InsertTable>(table: T, row: InsertRow<T>): void {
    ((this.tables[table] ??= []) as InsertRow<T>[]).push(row);
  }

  accept(count = 1): void {
    this.accepted += count;
  }

  reject(reason: string, count = 1): void {
    this.rejected += count;
    if (this.reasons.length < 5 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  /** Refuses an item over a quota (counted apart, for usage). */
  rejectOverQuota(reason: string, count = 1): void {
    this.overQuota += count;
    this.reject(reason, count);
  }

  build(): RowBatch {
    return {
      tables: this.tables,
      accepted: this.accepted,
      rejected: this.rejected,
      errorMessage: this.rejected > 0 ? `rejected ${this.rejected} item(s): ${this.reasons.join('; ')}` : '',
      ...(this.overQuota > 0 ? { rejectedOverQuota: this.overQuota } : {}),
    };
  }
}
