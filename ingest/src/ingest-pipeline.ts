import { embeddedInfo, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { MalformedPayloadError, type ExportOutcome, type OtlpConsumer, type OtlpExport } from '@telemetryflow/otlp';
import { runQueued } from '@telemetryflow/worker-pool';
import { ClickHouseWriter, DEFAULT_WRITER_CONFIG, type WriterConfig } from './clickhouse-writer.js';
import { createDecodePool, type DecodePool } from './decode-threads.js';
import type { EncodedTables } from './decode-task.js';
import { DEFAULT_BATCHER_CONFIG, InsertBatcher, type BatcherConfig } from './insert-batcher.js';
import type { LiveFeed } from '@telemetryflow/rows';
import { DEFAULT_LEDGER_CONFIG, RequestLedger, type Admission, type LedgerConfig } from './request-ledger.js';

export interface IngestConfig {
  /** Decoder threads; default: one per core beyond the first, at least one. */
  workers?: number;
  /** Requests waiting for a decoder thread at most (default DECODE_QUEUE_LIMIT); more are refused as overloaded. */
  maxQueuedRequests?: number;
  batcher?: Partial<BatcherConfig>;
  writer?: Partial<WriterConfig>;
  /** The window in which a client's retry of a request is stored once. */
  ledger?: Partial<LedgerConfig>;
  /** Told about span and log rows once they are inserted (the live tail). */
  live?: LiveFeed;
}

/**
 * The in-process consumer of OTLP requests: decode and build rows in worker threads,
 * batch them, insert into ClickHouse, and answer only after the insert. A retry of a
 * request (same tenant, signal and bytes) within the ledger's window inserts only what the
 * earlier attempts did not, and an identical request under way is waited for.
 */
export class IngestPipeline implements OtlpConsumer {
  private readonly pool: DecodePool;
  private readonly batcher: InsertBatcher;
  private closing = false;
  /** Requests in the decoder threads: their rows are on their way to the batcher. */
  private readonly decoding = new Set<Promise<unknown>>();
  /** Requests not yet handed to the batcher (decoding, or waiting for an identical one). */
  private readonly arriving = new Set<Promise<unknown>>();
  private readonly ledger: RequestLedger;
  private readonly live: LiveFeed | undefined;
  /** Moved when an insert fails: the decoder threads then write every series' catalog row again. */
  private seriesEpoch = 0;

  constructor(client: ClickHouseClient, config: IngestConfig = {}) {
    this.live = config.live;
    this.ledger = new RequestLedger({ ...DEFAULT_LEDGER_CONFIG, ...config.ledger });
    this.pool = createDecodePool(config.workers, config.maxQueuedRequests);
    // The embedded engine runs one query at a time (see BatcherConfig.maxInFlight).
    const maxInFlight = embeddedInfo(client) ? 1 : DEFAULT_BATCHER_CONFIG.maxInFlight;
    this.batcher = new InsertBatcher(
      new ClickHouseWriter(client, { ...DEFAULT_WRITER_CONFIG, ...config.writer }),
      { ...DEFAULT_BATCHER_CONFIG, maxInFlight, ...config.batcher },
      () => this.decoding.size,
    );
  }

  async consume(request: OtlpExport): Promise<ExportOutcome> {
    if (this.closing) throw new Error('ingest is shutting down');
    const { batch, admission } = await counted(this.arriving, this.arrive(request));
    // A retry of a request stored already: answered as it was, nothing inserted.
    if ('done' in admission) return admission.done;
    const { attempt } = admission;
    try {
      await this.batcher.add(batch.tables, attempt.landed);
    } catch (err) {
      this.seriesEpoch++;
      attempt.failed();
      throw err;
    }
    const outcome: ExportOutcome = {
      accepted: batch.accepted,
      rejected: batch.rejected,
      errorMessage: batch.errorMessage,
      ...(batch.rejectedOverQuota ? { rejectedOverQuota: batch.rejectedOverQuota } : {}),
    };
    attempt.stored(outcome);
    if (batch.rows) this.live?.publish(request.tenantId, batch.rows);
    return outcome;
  }

  /** Decodes a request and admits it to the ledger; it is then ready for the batcher. */
  private async arrive(request: OtlpExport): Promise<{ batch: EncodedTables; admission: Admission }> {
    const decoded = runQueued(this.pool, {
      tenantId: request.tenantId,
      signal: request.signal,
      encoding: request.encoding,
      payload: request.payload,
      receivedAtNs: request.receivedAtNs.toString(),
      notBeforeNs: request.notBeforeNs.toString(),
      keepRows: this.live?.wants(request.tenantId, request.signal) ?? false,
      ...(request.activeSeries ? { activeSeries: request.activeSeries } : {}),
      seriesEpoch: this.seriesEpoch,
    });
    const output = await counted(this.decoding, decoded);
    if (!output.result.ok) throw new MalformedPayloadError(output.result.malformed);
    return { batch: output.result.batch, admission: await this.ledger.admit(output.identity) };
  }

  /** Stops taking requests, inserts what is waiting, and stops the decoder threads. */
  async close(): Promise<void> {
    this.closing = true;
    // Requests still being decoded are answered too: their rows join the last batches.
    while (this.arriving.size > 0) await Promise.allSettled([...this.arriving]);
    await this.batcher.flush();
    await this.pool.destroy();
  }
}

/** Awaits `work` while it is in `set` (what `close` and the batcher wait for). */
async function counted<T>(set: Set<Promise<unknown>>, work: Promise<T>): Promise<T> {
  set.add(work);
  try {
    return await work;
  } finally {
    set.delete(work);
  }
}
