// Usage counters of one process, summed in memory per tenant, hour, signal, kind and reason
// and written to `usage_hourly` (a SummingMergeTree) every few seconds. Bounded: past maxKeys
// distinct keys waiting, further new keys are dropped and counted.
//
// Each written batch carries its own insert_deduplication_token. The table keeps a
// deduplication window (as every *_hourly table), and without a token ClickHouse drops a block
// identical to a recent one: two flushes that each counted one refused request of the same
// size are the same rows, and the second would be lost. A failed write is retried with the
// same rows and token, so a write that succeeded although the client saw an error is not
// counted twice.
//
// Items of Signal `queries`: the rows a query returned, and for PromQL sample reads the samples
// it read (README, Usage). Migration 0017's comment says only "rows they returned"; it stays
// as applied, since a migration's checksum covers its comments too (migrations.ts).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

export const USAGE_TABLE = 'usage_hourly';

export interface UsageRecorderOptions {
  flushIntervalMs?: number;
  maxKeys?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

interface Entry {
  tenantId: string;
  hour: number;
  signal: string;
  kind: string;
  reason: string;
  requests: number;
  items: number;
  bytes: number;
}

const HOUR_MS = 3_600_000;

interface Batch {
  token: string;
  entries: Entry[];
}

export class UsageRecorder {
  private pending = new Map<string, Entry>();
  /** Batches whose write failed, oldest first, retried as they were (same rows, same token). */
  private retries: Batch[] = [];
  /** Token prefix: hex and dashes only (it is written into the statement). */
  private readonly instance = randomUUID();
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private droppedKeys = 0;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(
    private readonly ch: ClickHouseClient,
    private readonly opts: UsageRecorderOptions = {},
  ) {
    this.maxKeys = opts.maxKeys ?? 50_000;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  /** Starts the periodic flush (default every 5 s). */
  start(): this {
    const every = this.opts.flushIntervalMs ?? 5_000;
    this.timer = setInterval(() => void this.flush(), every);
    this.timer.unref();
    return this;
  }

  /** Keys dropped because the buffer was full, since start. */
  get dropped(): number {
    return this.droppedKeys;
  }

  add(
    tenantId: string,
    signal: string,
    kind: string,
    counts: { requests?: number; items?: number; bytes?: number },
    reason = '',
  ): void {
    const hour = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
    const key = `${tenantId}\u0000${hour}\u0000${signal}\u0000${kind}\u0000${reason}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size + this.waitingRetries() >= this.maxKeys) {
        this.droppedKeys++;
        return;
      }
      entry = { tenantId, hour, signal, kind, reason, requests: 0, items: 0, bytes: 0 };
      this.pending.set(key, entry);
    }
    entry.requests += nonNegative(counts.requests);
    entry.items += nonNegative(counts.items);
    entry.bytes += nonNegative(counts.bytes);
  }

  /** Writes what was counted; resolves once written (or kept for the next flush on failure). */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  private waitingRetries(): number {
    return this.retries.reduce((n, b) => n + b.entries.length, 0);
  }

  private async write(): Promise<void> {
    if (this.pending.size > 0) {
      this.retries.push({ token: `${this.instance}-${++this.sequence}`, entries: [...this.pending.values()] });
      this.pending = new Map();
    }
    while (this.retries.length > 0) {
      const batch = this.retries[0]!;
      try {
        // Settings in the statement: the embedded engine keeps a request's clickhouse_settings
        // for its whole session, and a leaked token would deduplicate other inserts.
        const rows = batch.entries.map((e) =>
          JSON.stringify({
            TenantId: e.tenantId,
            Hour: Math.floor(e.hour / 1000),
            Signal: e.signal,
            Kind: e.kind,
            Reason: e.reason,
            Requests: e.requests,
            Items: e.items,
            Bytes: e.bytes,
          }),
        );
        const result = await this.ch.exec({
          query: `INSERT INTO ${USAGE_TABLE} (TenantId, Hour, Signal, Kind, Reason, Requests, Items, Bytes)
                  SETTINGS async_insert = 0, insert_deduplicate = 1, insert_deduplication_token = '${batch.token}'
                  FORMAT JSONEachRow`,
          values: Readable.from([rows.join('\n') + '\n']),
        });
        result.stream.resume();
        this.retries.shift();
      } catch (err) {
        this.log(
          `usage: writing ${batch.entries.length} counter(s) failed, retried with the next flush: ${String(err)}`,
        );
        return;
      }
    }
  }
}

function nonNegative(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Items of a tenant's signal accepted since `dayStartMs`, as the usage table has them. */
export async function readAcceptedItemsSince(
  ch: ClickHouseClient,
  tenantId: string,
  signal: string,
  sinceMs: number,
): Promise<number> {
  const rs = await ch.query({
    query: `SELECT sum(Items) AS items FROM ${USAGE_TABLE}
             WHERE TenantId = {tenant:String} AND Signal = {signal:String} AND Kind = 'accepted'
               AND Hour >= toDateTime({since:UInt32}, 'UTC')`,
    query_params: { tenant: tenantId, signal, since: Math.floor(sinceMs / 1000) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ items: string | number }>();
  return Number(row?.items ?? 0);
}
