import type { InsertTable } from '@telemetryflow/clickhouse';

/** Rows of one table, each an array of values in INSERT_COLUMNS order. */
export type Rows = unknown[][];

/** What one OTLP request turns into: rows per table, and the items that were refused. */
export interface RowBatch {
  tables: Partial<Record<InsertTable, Rows>>;
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/** Collects rows per table and the reasons items were refused (the first few are reported). */
export class RowBatchBuilder {
  private readonly tables: Partial<Record<InsertTable, Rows>> = {};
  private accepted = 0;
  private rejected = 0;
  private readonly reasons: string[] = [];

  add(table: InsertTable, row: unknown[]): void {
    (this.tables[table] ??= []).push(row);
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
