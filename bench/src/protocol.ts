// Messages between the benchmark (parent) and its load-generator child processes.
import type { Signal } from '@telemetryflow/otlp';

/** OTLP/HTTP, OTLP/gRPC, or Prometheus remote write 1.0 (metrics; snappy protobuf on the OTLP/HTTP port). */
export type Transport = 'http' | 'grpc' | 'remote-write';

/** parent → child: what to send, where, and for how long. */
export interface GeneratorConfig {
  type: 'config';
  index: number;
  signal: Signal;
  transport: Transport;
  /** `http://127.0.0.1:port` for HTTP, `127.0.0.1:port` for gRPC. */
  target: string;
  apiKey: string;
  concurrency: number;
  durationMs: number;
  itemsPerRequest: number;
  templates: number;
  /** A request that takes longer than this counts as failed. */
  requestTimeoutMs: number;
  /** Items per second to send at most, spread evenly; absent: as fast as `concurrency` allows. */
  itemsPerSecond?: number;
  /** Metrics: scrape-like requests over `activeSeries` series (scrape-payloads.ts) instead of the default templates. */
  scrape?: { activeSeries: number; newSeries: boolean };
  /** Stop sending once this many items were sent (the duration still bounds the phase). */
  maxItems?: number;
}

/** parent → child: start sending now. */
export interface GoMessage {
  type: 'go';
}

/** parent → child: send no new requests, answer with the result once those in flight are answered. */
export interface StopMessage {
  type: 'stop';
}

/** child → parent: payloads are encoded and the connection is up. */
export interface ReadyMessage {
  type: 'ready';
  index: number;
  /** Mean encoded request size in bytes and mean bytes per item. */
  requestBytes: number;
  bytesPerItem: number;
  itemsPerRequest: number;
}

export interface GeneratorResult {
  type: 'result';
  index: number;
  /** Items of requests answered with success and no partial rejection. */
  ackedItems: number;
  okRequests: number;
  failedRequests: number;
  /** Items of requests answered with partial success (some rejected): not counted as acked. */
  partialRequests: number;
  /** A few distinct failure descriptions. */
  failures: string[];
  /** Latency of every completed request (ok or not), milliseconds. */
  latenciesMs: number[];
  /** From the first send to the last answer. */
  elapsedMs: number;
  bytesSent: number;
  peakRssBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export interface GeneratorError {
  type: 'error';
  index: number;
  message: string;
}

export type ParentMessage = GeneratorConfig | GoMessage | StopMessage;
export type ChildMessage = ReadyMessage | GeneratorResult | GeneratorError;
