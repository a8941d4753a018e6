import { resolve } from 'node:path';

/** Every setting of a TelemetryFlow process, read once from the environment and validated. */
export interface Config {
  host: string;
  httpPort: number;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  otlpMaxRequestBytes: number;
  dataDir: string;
  clickhouseUrl: string | undefined;
  databaseUrl: string | undefined;
  pglitePort: number;
  ingestWorkers: number | undefined;
  ingestBatchRows: number;
  ingestBatchDelayMs: number;
  bootstrap: { apiKey?: string; adminEmail?: string; adminPassword?: string };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')}`);
  return raw;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function loadConfig(env: Env = process.env): Config {
  const apiKey = optional(env, 'TF_BOOTSTRAP_API_KEY');
  if (apiKey !== undefined && apiKey.length < 16) throw new ConfigError('TF_BOOTSTRAP_API_KEY must be at least 16 characters');
  const workers = optional(env, 'TF_INGEST_WORKERS');
  return {
    host: env.TF_HOST || '127.0.0.1',
    httpPort: int(env, 'TF_HTTP_PORT', 8080, 0, 65535),
    otlpHttpPort: int(env, 'TF_OTLP_HTTP_PORT', 4318, 0, 65535),
    otlpGrpcPort: int(env, 'TF_OTLP_GRPC_PORT', 4317, 0, 65535),
    otlpMaxRequestBytes: int(env, 'TF_OTLP_MAX_REQUEST_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    dataDir: resolve(env.TF_DATA_DIR || './data'),
    clickhouseUrl: url(env, 'CLICKHOUSE_URL', ['http:', 'https:']),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    pglitePort: int(env, 'TF_PGLITE_PORT', 0, 0, 65535),
    ingestWorkers: workers === undefined ? undefined : int(env, 'TF_INGEST_WORKERS', 1, 1, 64),
    ingestBatchRows: int(env, 'TF_INGEST_BATCH_ROWS', 100_000, 1, 1_000_000),
    ingestBatchDelayMs: int(env, 'TF_INGEST_BATCH_DELAY_MS', 200, 1, 60_000),
    bootstrap: {
      apiKey,
      adminEmail: optional(env, 'TF_BOOTSTRAP_ADMIN_EMAIL'),
      adminPassword: optional(env, 'TF_BOOTSTRAP_ADMIN_PASSWORD'),
    },
  };
}
