// The collector's consumer in distributed mode: a request is accepted once JetStream has
// stored it (PubAck), not when a writer has inserted it.
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { BusConnection } from '@telemetryflow/bus';
import { createWorkerPool, runQueued } from '@telemetryflow/worker-pool';
import type { Piscina } from 'piscina';
import {
  BUS_HEADERS,
  busMessageId,
  busSubject,
  isRoutableTenant,
  MalformedPayloadError,
  type ExportOutcome,
  type OtlpConsumer,
  type OtlpExport,
} from '@telemetryflow/otlp';
import type { Histogram } from 'prom-client';
import { ExportError } from '../errors.js';
import type { PrepareResult, PrepareTask } from './bus-prepare.js';

export interface PublisherConfig {
  /** Decoder threads; default one per core beyond the first. */
  workers?: number;
  /** Longest wait for a PubAck. */
  publishTimeoutMs: number;
  /** Retry-After told to clients while JetStream refuses or is unreachable. */
  retryAfterSeconds: number;
}

export const DEFAULT_PUBLISHER_CONFIG: PublisherConfig = { publishTimeoutMs: 5_000, retryAfterSeconds: 2 };

/** JetStream cannot take the data now; the client retries after `retryAfterSeconds`. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Room left in a message for the headers and the protocol line.
const HEADER_ROOM = 4096;

export class JetStreamPublisher implements OtlpConsumer {
  private readonly pool: Piscina<PrepareTask, PrepareResult>;
  private readonly maxMessageBytes: number;

  constructor(
    private readonly bus: BusConnection,
    private readonly config: PublisherConfig = DEFAULT_PUBLISHER_CONFIG,
    private readonly publishSeconds?: Histogram<'signal'>,
  ) {
    this.pool = createWorkerPool<PrepareTask, PrepareResult>(
      new URL('./bus-prepare-worker.js', import.meta.url),
      config.workers,
    );
    this.maxMessageBytes = (bus.nc.info?.max_payload ?? 1024 * 1024) - HEADER_ROOM;
  }

  async consume(request: OtlpExport): Promise<ExportOutcome> {
    const { tenantId, signal } = request;
    // Tenant ids are subject tokens; one that is not cannot be routed (an operator error).
    if (!isRoutableTenant(tenantId))
      throw new ExportError('forbidden', 'this API key belongs to a tenant whose id cannot be routed');
    if (!this.bus.connected()) throw new BusUnavailableError('NATS is unreachable', this.config.retryAfterSeconds);
    const prepared = await runQueued(this.pool, {
      tenantId,
      signal,
      encoding: request.encoding,
      payload: request.payload,
      receivedAtNs: request.receivedAtNs.toString(),
      notBeforeNs: request.notBeforeNs.toString(),
      maxMessageBytes: this.maxMessageBytes,
      ...(request.activeSeries ? { activeSeries: request.activeSeries } : {}),
    });
    if (!prepared.ok) throw new MalformedPayloadError(prepared.malformed);
    const h = natsHeaders();
    h.set(BUS_HEADERS.tenant, tenantId);
    h.set(BUS_HEADERS.receivedAtNs, request.receivedAtNs.toString());
    // The writers refuse the same old items the client was just told about.
    if (request.notBeforeNs > 0n) h.set(BUS_HEADERS.notBeforeNs, request.notBeforeNs.toString());
    const subject = busSubject(signal, tenantId);
    const started = performance.now();
    try {
      await Promise.all(
        prepared.parts.map((body) =>
          this.bus.js.publish(subject, body, {
            msgID: busMessageId(signal, tenantId, body),
            headers: h,
            timeout: this.config.publishTimeoutMs,
          }),
        ),
      );
    } catch (err) {
      // Stream full (discard new), no JetStream, timeout, connection lost: all transient.
      throw new BusUnavailableError(
        `JetStream did not store the request: ${(err as Error).message}`,
        this.config.retryAfterSeconds,
        { cause: err },
      );
    }
    this.publishSeconds?.observe({ signal }, (performance.now() - started) / 1000);
    return {
      accepted: prepared.accepted,
      rejected: prepared.rejected,
      errorMessage: prepared.errorMessage,
      ...(prepared.rejectedOverQuota ? { rejectedOverQuota: prepared.rejectedOverQuota } : {}),
    };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
