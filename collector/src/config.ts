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
}

export const DEFAULT_RECEIVER_CONFIG: ReceiverConfig = {
  host: '127.0.0.1',
  httpPort: 4318,
  grpcPort: 4317,
  maxRequestBytes: 20 * 1024 * 1024,
};

/** Fails fast at start-up on a config that could only break later. */
export function validateReceiverConfig(cfg: ReceiverConfig): void {
  const problems: string[] = [];
  if (typeof cfg.host !== 'string' || cfg.host.length === 0) problems.push('host must be a non-empty string');
  for (const key of ['httpPort', 'grpcPort'] as const) {
    const port = cfg[key];
    if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`${key} must be an integer in 0..65535, got ${String(port)}`);
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
