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
}

/** What a request's items are checked against besides their own fields, and what was refused before. */
export interface RowContext {
  /** Where rows may start; default ANY_TIME (no retention cutoff). */
  window?: TimeWindow;
  /** Items the decoder refused (OTLP/JSON values of the wrong type): they count as rejected. */
  refused?: readonly RefusedItems[];
}

export function windowOf(context: RowContext): TimeWindow {
  return context.window ?? ANY_TIME;
}

/** Collects rows per table and the reasons items were refused (the first few are reported). */
export class RowBatchBuilder {
  private readonly tables: TableRows = {};
  private accepted = 0;
  private rejected = 0;
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

  build(): RowBatch {
    return {
      tables: this.tables,
      accepted: this.accepted,
      rejected: this.rejected,
      errorMessage: this.rejected > 0 ? `rejected ${this.rejected} item(s): ${this.reasons.join('; ')}` : '',
    };
  }
}
