import { embeddedInfo, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { MalformedPayloadError, type ExportOutcome, type OtlpConsumer, type OtlpExport } from '@telemetryflow/schemas';
import { ClickHouseWriter, DEFAULT_WRITER_CONFIG, type WriterConfig } from './clickhouse-writer.js';
import { createDecodePool, runQueued, type DecodePool } from './decode-pool.js';
import { DEFAULT_BATCHER_CONFIG, InsertBatcher, type BatcherConfig } from './insert-batcher.js';
import type { LiveFeed } from './live-feed.js';

export interface IngestConfig {
  /** Decoder threads; default: one per core beyond the first, at least one. */
  workers?: number;
  /** Requests waiting for a decoder thread at most (default DECODE_QUEUE_LIMIT); more are refused as overloaded. */
  maxQueuedRequests?: number;
  batcher?: Partial<BatcherConfig>;
  writer?: Partial<WriterConfig>;
  /** Told about span and log rows once they are inserted (the live tail). */
  live?: LiveFeed;
}

/**
 * The in-process consumer of OTLP requests: decode and build rows in worker threads,
 * batch them, insert into ClickHouse, and answer only after the insert.
 */
export class IngestPipeline implements OtlpConsumer {
  private readonly pool: DecodePool;
  private readonly batcher: InsertBatcher;
  private closing = false;
  /** Requests in the decoder threads: their rows are on their way to the batcher. */
  private readonly decoding = new Set<Promise<unknown>>();
  private readonly live: LiveFeed | undefined;

  constructor(client: ClickHouseClient, config: IngestConfig = {}) {
    this.live = config.live;
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
    const decoded = runQueued(this.pool, {
      tenantId: request.tenantId,
      signal: request.signal,
      encoding: request.encoding,
      payload: request.payload,
      receivedAtNs: request.receivedAtNs.toString(),
      notBeforeNs: request.notBeforeNs.toString(),
      keepRows: this.live?.wants(request.tenantId, request.signal) ?? false,
    });
    this.decoding.add(decoded);
    let result;
    try {
      result = await decoded;
    } finally {
      this.decoding.delete(decoded);
    }
    if (!result.ok) throw new MalformedPayloadError(result.malformed);
    await this.batcher.add(result.batch.tables);
    if (result.batch.rows) this.live?.publish(request.tenantId, result.batch.rows);
    return { accepted: result.batch.accepted, rejected: result.batch.rejected, errorMessage: result.batch.errorMessage };
  }

  /** Stops taking requests, inserts what is waiting, and stops the decoder threads. */
  async close(): Promise<void> {
    this.closing = true;
    // Requests still being decoded are answered too: their rows join the last batches.
    while (this.decoding.size > 0) await Promise.allSettled([...this.decoding]);
    await this.batcher.flush();
    await this.pool.destroy();
  }
}
