// The contract between the OTLP receivers and whatever stores their data. Receivers
// (collector/) authenticate, decompress and enforce limits; a consumer (the ClickHouse
// writer in-process, or the JetStream publisher) decodes, validates and makes the data
// durable. The client is answered only when `consume` resolves.
import type { PayloadEncoding } from './otlp-codec.js';
import type { Signal } from './otlp-types.js';

export interface OtlpExport {
  tenantId: string;
  signal: Signal;
  encoding: PayloadEncoding;
  /** The request body after decompression. */
  payload: Uint8Array;
  /** When the receiver got the request, nanoseconds since the epoch. */
  receivedAtNs: bigint;
  /**
   * Items older than this (nanoseconds since the epoch) are past the tenant's retention for
   * the signal: TTL would delete them at once, so they are refused. 0n: no cutoff.
   */
  notBeforeNs: bigint;
  /** Metrics: the tenant's active-series quota, checked per series where points are decoded. */
  activeSeries?: ActiveSeriesGate;
}

/**
 * A tenant's active series as the decoder threads of a process share them (the rows
 * package's ActiveSeriesLimits makes it): two generations of fingerprint hash sets in
 * SharedArrayBuffers, and how many series moved from the previous into the current one.
 */
export interface ActiveSeriesGate {
  /** Active series this process admits for the tenant. */
  limit: number;
  current: SharedArrayBuffer;
  previous: SharedArrayBuffer;
  moved: SharedArrayBuffer;
}

/** Items that could not be stored (OTLP partial success); zero when all were stored. */
export interface ExportOutcome {
  /** Items stored (or, on the JetStream path, made durable for the writers). */
  accepted: number;
  rejected: number;
  errorMessage: string;
  /** Of `rejected`: data points of new series over the tenant's active-series quota. */
  rejectedOverQuota?: number;
}

export interface OtlpConsumer {
  /**
   * Resolves once the accepted items are durable. Rejects with MalformedPayloadError
   * when the payload cannot be decoded (a permanent error), with OverloadedError when it
   * is at capacity (the client is throttled); any other rejection is transient and the
   * client should retry.
   */
  consume(request: OtlpExport): Promise<ExportOutcome>;
}

/** The consumer's work queue is full: the client is told to slow down (429 / RESOURCE_EXHAUSTED). */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
}

/** A resolved ingest or read credential. */
export interface Credential {
  tenantId: string;
  scopes: readonly ('ingest' | 'read' | 'admin')[];
  /**
   * The tenant's raw-data retention per signal in days, as of the look-up (cached with the
   * key): the export handler refuses items older than that. Absent: nothing is refused
   * for its age.
   */
  rawRetentionDays?: Readonly<Record<Signal, number>>;
  /**
   * The tenant's ingest quotas as of the look-up (cached with the key): the export handler
   * refuses requests over them (429 / RESOURCE_EXHAUSTED with RetryInfo). Absent: no quota.
   */
  ingestQuota?: IngestQuota;
}

/** Per-tenant ingest limits an instance administrator sets; a missing entry is unlimited. */
export interface IngestQuota {
  /** Items per second per signal for the whole tenant, all collector replicas together. */
  itemsPerSecond?: Readonly<Partial<Record<Signal, number>>>;
  /** Items accepted per signal per UTC day. */
  dailyItems?: Readonly<Partial<Record<Signal, number>>>;
  /** Metric series active (seen in the last 10 to 20 minutes) at once, all collector replicas together. */
  activeSeries?: number;
}

/** Resolves a bearer token to its credential, or null when it is unknown or revoked. */
export type Authenticate = (token: string) => Promise<Credential | null>;

/** What one process counts of a tenant's use; summed per hour where it is stored. */
export interface UsageCounts {
  requests?: number;
  items?: number;
  bytes?: number;
}

/**
 * Why a tenant's request (or item) was refused, as usage counts it: `quota` over an ingest
 * quota; `overload` the process's or tenant's bytes in flight (admission, a full decoder
 * queue); `invalid` undecodable, unsupported framing, or items a partial success rejected;
 * `too-large` over the request size cap; `forbidden` a key without the ingest scope;
 * `timeout` the request did not arrive in time; `unavailable` a transient server failure.
 */
export type RefusalReason = 'quota' | 'overload' | 'invalid' | 'too-large' | 'forbidden' | 'timeout' | 'unavailable';

/**
 * Where receivers and readers count usage (the clickhouse package's UsageRecorder). `signal`
 * is traces|metrics|logs or queries; `kind` accepted|refused (signals, refused with a reason)
 * or run (queries). Never throws and never waits: counting must not slow or fail the request.
 */
export interface UsageSink {
  add(tenantId: string, signal: string, kind: string, counts: UsageCounts, reason?: RefusalReason): void;
}
