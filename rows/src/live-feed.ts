import type { Signal } from '@telemetryflow/otlp';
import type { RowBatch } from './row-batch.js';

/** Span and log rows of one request as the row builders made them (columns as in INSERT_COLUMNS). */
export type LiveRows = Pick<RowBatch['tables'], 'spans' | 'logs'>;

/**
 * Where durable telemetry goes for the live tail. One-way: the writer tells it about rows
 * it stored and never waits for it. Rows are only kept for it while someone follows that
 * tenant's signal, so an unwatched feed costs nothing.
 */
export interface LiveFeed {
  wants(tenantId: string, signal: Signal): boolean;
  /** Must not throw or block: called on the writer's path after the insert succeeded. */
  publish(tenantId: string, rows: LiveRows): void;
}
