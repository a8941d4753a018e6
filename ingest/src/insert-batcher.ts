import { randomUUID } from 'node:crypto';
import type { InsertTable } from '@telemetryflow/clickhouse';
import { MalformedPayloadError } from '@telemetryflow/otlp';
import type { ClickHouseWriter } from './clickhouse-writer.js';
import { isDataError, StorageUnavailableError } from './insert-errors.js';
import type { EncodedTables } from './decode-task.js';
import { inBatchSpan } from './batch-span.js';
import { insertTables, tablesSize } from './table-inserts.js';

export interface BatcherConfig {
  /** Flush when this many rows are waiting (kept below ClickHouse's max_insert_block_size so an insert is one block). */
  maxRows: number;
  /** Flush when this many bytes of rows are waiting. */
  maxBytes: number;
  /** Flush at the latest this long after the first row arrived. */
  maxDelayMs: number;
  /**
   * Flush sooner when no request arrived for this long and none is still on its way (see
   * `InsertBatcher`'s `incoming`): when every client is already waiting in the batch,
   * waiting longer only adds latency; while requests keep coming the batch grows up to
   * maxDelayMs, and larger inserts cost ClickHouse less per row.
   */
  quietMs: number;
  /** Bytes accepted but not yet inserted; above it new requests are refused as transient (back-pressure). */
  maxPendingBytes: number;
  /**
   * Inserts under way at once. While they run, rows keep gathering, so under load each
   * insert grows instead of more small inserts (and more parts to merge) being made. The
   * embedded engine runs one query at a time: a second insert would only queue behind the
   * first, and the requests that arrive meanwhile would be split over two small inserts.
   */
  maxInFlight: number;
}

export const DEFAULT_BATCHER_CONFIG: BatcherConfig = {
  maxRows: 100_000,
  maxBytes: 64 * 1024 * 1024,
  maxDelayMs: 500,
  quietMs: 20,
  maxPendingBytes: 512 * 1024 * 1024,
  maxInFlight: 2,
};

/** A request's rows that ClickHouse refused as data: permanent, like an undecodable payload. */
export class UnstorableDataError extends MalformedPayloadError {
  override readonly name = 'UnstorableDataError';
}

interface Part {
  tables: EncodedTables['tables'];
  /** The request's tables that are in ClickHouse (the caller's set, filled in as they land). */
  landed: Set<InsertTable>;
  rows: number;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Gathers the rows of many OTLP requests into large inserts. `add` resolves only once
 * every row of that request is in ClickHouse, so a client is acknowledged only for
 * durable data. If a combined insert fails because of its data, the batch is retried
 * request by request so that one bad request cannot fail the others. Which of a request's
 * tables landed is told to its caller also when the request fails, so that a retry can
 * leave them out.
 */
export class InsertBatcher {
  private open: Part[] = [];
  private openRows = 0;
  private openBytes = 0;
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  /** When the newest waiting request arrived. */
  private lastAddAt = 0;
  /** When the oldest waiting rows arrived. */
  private openSince: number | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * @param incoming how many requests are on their way to `add` (being decoded): a batch
   *   is not quiet while they are, so a burst of requests goes into one insert however long
   *   their decoding queues.
   */
  constructor(
    private readonly writer: ClickHouseWriter,
    private readonly config: BatcherConfig = DEFAULT_BATCHER_CONFIG,
    private readonly incoming: () => number = () => 0,
  ) {}

  /**
   * Inserts a request's rows, except the tables in `landed` (stored before); each table that
   * lands is added to `landed`, also when another table's insert fails and `add` rejects.
   */
  add(allTables: EncodedTables['tables'], landed = new Set<InsertTable>()): Promise<void> {
    const tables = withoutTables(allTables, landed);
    const { rows, bytes } = tablesSize(tables);
    if (rows === 0) return Promise.resolve();
    if (this.pendingBytes + bytes > this.config.maxPendingBytes) {
      return Promise.reject(new StorageUnavailableError('ingest queue is full; retry later'));
    }
    this.pendingBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      this.lastAddAt = Date.now();
      this.openSince ??= this.lastAddAt;
      this.open.push({ tables, landed, rows, bytes, resolve, reject });
      this.openRows += rows;
      this.openBytes += bytes;
      this.schedule();
    });
  }

  /** Inserts everything waiting and waits for all inserts under way (shutdown). */
  async flush(): Promise<void> {
    this.seal();
    while (this.inFlight.size > 0 || this.open.length > 0) {
      await Promise.allSettled([...this.inFlight]);
      this.seal();
    }
  }

  /** Starts an insert of the waiting rows (up to maxRows), unless enough inserts are under way. */
  private seal(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.timer = undefined;
    this.quietTimer = undefined;
    if (this.open.length === 0 || this.inFlight.size >= this.config.maxInFlight) return;
    let rows = 0;
    let bytes = 0;
    let take = 0;
    while (take < this.open.length) {
      const part = this.open[take]!;
      if (take > 0 && (rows + part.rows > this.config.maxRows || bytes + part.bytes > this.config.maxBytes)) break;
      rows += part.rows;
      bytes += part.bytes;
      take++;
    }
    const parts = this.open.splice(0, take);
    if (this.open.length === 0) this.openSince = undefined;
    this.openRows -= rows;
    this.openBytes -= bytes;
    const done = this.insertBatch(parts).finally(() => {
      this.inFlight.delete(done);
      for (const p of parts) this.pendingBytes -= p.bytes;
      // Rows that gathered meanwhile go next: at once when the batch is due, else on a timer.
      if (this.open.length > 0) this.schedule();
    });
    this.inFlight.add(done);
  }

  /** Seals the waiting rows when they are due (size, age or a quiet gap), else sets the timers for it. */
  private schedule(): void {
    const now = Date.now();
    const waited = now - (this.openSince ?? now);
    const quiet = now - this.lastAddAt;
    const { maxRows, maxBytes, maxDelayMs, quietMs } = this.config;
    const quietNow = quiet >= quietMs && this.incoming() === 0;
    if (this.openRows >= maxRows || this.openBytes >= maxBytes || waited >= maxDelayMs || quietNow) {
      this.seal();
      return;
    }
    this.timer ??= setTimeout(() => this.seal(), maxDelayMs - waited);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    // Quiet but with requests still on their way: look again a quiet gap later (each of
    // them re-arms this timer when it arrives; maxDelayMs bounds the wait).
    this.quietTimer = setTimeout(
      () => {
        this.quietTimer = undefined;
        this.schedule();
      },
      quiet >= quietMs ? quietMs : quietMs - quiet,
    );
  }

  private insertBatch(parts: Part[]): Promise<void> {
    const rows = parts.reduce((n, p) => n + p.rows, 0);
    return inBatchSpan('ingest.insert', { 'telemetryflow.requests': parts.length, 'telemetryflow.rows': rows }, () =>
      this.insertParts(parts),
    );
  }

  private async insertParts(parts: Part[]): Promise<void> {
    const batchId = randomUUID();
    // Tables whose combined insert landed; a split must not insert their rows again.
    const landed = new Set<InsertTable>();
    try {
      await insertTables(
        this.writer,
        parts.map((p) => p.tables),
        batchId,
        landed,
      );
      for (const p of parts) settle(p, landed);
    } catch (err) {
      if (parts.length > 1 && isDataError(err)) {
        await Promise.all(parts.map((p, i) => this.insertAlone(p, `${batchId}-${i}`, landed)));
        return;
      }
      for (const p of parts) settle(p, landed, err);
    }
  }

  private async insertAlone(part: Part, token: string, landed: ReadonlySet<InsertTable>): Promise<void> {
    const alone = new Set(landed);
    try {
      await insertTables(this.writer, [part.tables], token, alone);
      settle(part, alone);
    } catch (err) {
      settle(part, alone, err);
    }
  }
}

/**
 * Tells a request which of its tables landed, and answers it: stored when all of them did,
 * even if the insert of another request's table failed afterwards.
 */
function settle(part: Part, landed: ReadonlySet<InsertTable>, err?: unknown): void {
  const own = Object.keys(part.tables) as InsertTable[];
  for (const t of own) if (landed.has(t)) part.landed.add(t);
  if (own.every((t) => part.landed.has(t))) part.resolve();
  else part.reject(toClientError(err));
}

function withoutTables(tables: EncodedTables['tables'], skip: ReadonlySet<InsertTable>): EncodedTables['tables'] {
  if (skip.size === 0) return tables;
  return Object.fromEntries(Object.entries(tables).filter(([t]) => !skip.has(t as InsertTable)));
}

function toClientError(err: unknown): Error {
  if (isDataError(err)) return new UnstorableDataError(`storage refused the data: ${(err as Error).message}`);
  return new StorageUnavailableError(`storage unavailable: ${(err as Error)?.message ?? String(err)}`);
}
