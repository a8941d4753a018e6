import type { InsertTable } from '@telemetryflow/clickhouse';

/** JSONCompactEachRow text for one table: newline-terminated lines, and how many. */
export interface TableRows {
  lines: string;
  rows: number;
}

/** What one OTLP request turns into: rows per table, and the items that were refused. */
export interface RowBatch {
  tables: Partial<Record<InsertTable, TableRows>>;
  accepted: number;
  rejected: number;
  errorMessage: string;
}

/** Collects rows per table and the reasons items were refused (the first few are reported). */
export class RowBatchBuilder {
  private readonly lines = new Map<InsertTable, string[]>();
  private accepted = 0;
  private rejected = 0;
  private readonly reasons: string[] = [];

  add(table: InsertTable, row: unknown[]): void {
    let list = this.lines.get(table);
    if (!list) this.lines.set(table, (list = []));
    list.push(JSON.stringify(row));
  }

  accept(count = 1): void {
    this.accepted += count;
  }

  reject(reason: string, count = 1): void {
    this.rejected += count;
    if (this.reasons.length < 5 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  build(): RowBatch {
    const tables: RowBatch['tables'] = {};
    for (const [table, list] of this.lines) tables[table] = { lines: list.join('\n') + '\n', rows: list.length };
    const more = this.rejected > this.reasons.length ? '' : '';
    return {
      tables,
      accepted: this.accepted,
      rejected: this.rejected,
      errorMessage: this.rejected > 0 ? `rejected ${this.rejected} item(s): ${this.reasons.join('; ')}${more}` : '',
    };
  }
}
