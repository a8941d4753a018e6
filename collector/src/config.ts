import type { ConnectionLimits } from './connection-guard.js';

/** Where the OTLP receivers listen and how much they accept. */
export interface ReceiverConfig {
  /** Interface to bind (TF_HOST). */
  host: string;
  /** OTLP/HTTP port; 0 picks an ephemeral port. */
  httpPort: number;
  /** OTLP/gRPC port; 0 picks an ephemeral port. */
  grpcPort: number;
  /** Largest request body accepted, measured after decompression (HTTP) / per message (gRPC). */
  maxRequestBytes: number;
  /** Timeouts and connection limits; defaults for what is not given. */
  connections?: Partial<ConnectionSettings>;
}

/** How long clients may take and how many connections they may hold, per listener. */
export interface ConnectionSettings extends ConnectionLimits {
  /** HTTP: until a request's headers are in (also the first request of a new connection). */
  headersTimeoutMs: number;
  /** Until a whole request is in, body included (HTTP 408; gRPC DEADLINE_EXCEEDED). */
  requestTimeoutMs: number;
  /** A connection without requests under way is closed after this (HTTP keep-alive, gRPC idle). */
  idleTimeoutMs: number;
  /** gRPC: connections are closed (gracefully, within requestTimeoutMs) after this long. */
  grpcMaxConnectionAgeMs: number;
}

export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 120_000,
  unauthenticatedTimeoutMs: 10_000,
  grpcMaxConnectionAgeMs: 30 * 60_000,
  maxPerAddress: 256,
};

export const DEFAULT_RECEIVER_CONFIG: ReceiverConfig = {
  host: '127.0.0.1',
  httpPort: 4318,
  grpcPort: 4317,
  maxRequestBytes: 20 * 1024 * 1024,
};

/** The connection settings of a config, defaults filled in. */
export function connectionSettings(cfg: ReceiverConfig): ConnectionSettings {
  return { ...DEFAULT_CONNECTION_SETTINGS, ...cfg.connections };
}

/** Fails fast at start-up on a config that could only break later. */
export function validateReceiverConfig(cfg: ReceiverConfig): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(connectionSettings(cfg))) {
    // Timers hold at most 2³¹−1 ms.
    if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff)
      problems.push(`connections.${key} must be an integer in 1..${0x7fffffff}, got ${String(value)}`);
  }
  if (typeof cfg.host !== 'string' || cfg.host.length === 0) problems.push('host must be a non-empty string');
  for (const key of ['httpPort', 'grpcPort'] as const) {
    const port = cfg[key];
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      problems.push(`${key} must be an integer in 0..65535, got ${String(port)}`);
  }
  // grpc-js keeps message sizes in a signed 32-bit int.
  if (!Number.isInteger(cfg.maxRequestBytes) || cfg.maxRequestBytes < 1 || cfg.maxRequestBytes > 0x7fffffff) {
    problems.push(`maxRequestBytes must be an integer in 1..${0x7fffffff}, got ${String(cfg.maxRequestBytes)}`);
  }
  if (problems.length > 0) throw new Error(`invalid OTLP receiver config: ${problems.join('; ')}`);
}

/** Optional sink for receiver diagnostics (failed exports are not errors of the receiver). */
export interface ReceiverLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A started receiver. */
export interface RunningReceiver {
  /** The bound port (useful when the configured port was 0). */
  port: number;
  /** Stops accepting new requests and resolves once the in-flight ones are answered. */
  close(): Promise<void>;
}
