import { setTimeout as sleep } from 'node:timers/promises';
import { insertRowBinary, type ClickHouseClient, type InsertTable } from '@telemetryflow/clickhouse';
import { isDataError } from './insert-errors.js';

export interface WriterConfig {
  /** Attempts per insert for transient errors, with the same deduplication token each time. */
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_WRITER_CONFIG: WriterConfig = { attempts: 4, backoffMs: 100 };

/**
 * Inserts RowBinary rows into one table. Transient failures are retried with
 * the same `insert_deduplication_token`, so a retry of an insert that did land (but whose
 * answer was lost) is dropped by ClickHouse instead of stored twice.
 */
export class ClickHouseWriter {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly config: WriterConfig = DEFAULT_WRITER_CONFIG,
  ) {}

  async insert(table: InsertTable, data: Uint8Array | readonly Uint8Array[], token: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertRowBinary(this.client, table, data, token);
        return;
      } catch (err) {
        if (isDataError(err) || attempt >= this.config.attempts) throw err;
        await sleep(this.config.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
}
