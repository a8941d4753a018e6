import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { AddressGuardConfigError, parseCidrs } from '@telemetryflow/alerting';
import {
  DEFAULT_ADMISSION_LIMITS,
  DEFAULT_CONNECTION_SETTINGS,
  REQUEST_OVERHEAD_BYTES,
  type AdmissionLimits,
  type ConnectionSettings,
} from '@telemetryflow/collector';
import { DEFAULT_JETSTREAM_SETTINGS, type JetStreamSettings } from '@telemetryflow/bus';
import {
  DEFAULT_LOGIN_LOCKOUT,
  DEFAULT_REFRESH_REUSE_GRACE_SECONDS,
  parseSecretKey,
  type LoginLockoutConfig,
} from '@telemetryflow/identity';
import {
  DEFAULT_JETSTREAM_WRITER_CONFIG,
  DEFAULT_LEDGER_CONFIG,
  type JetStreamWriterConfig,
} from '@telemetryflow/ingest';

export const ROLES = ['collector', 'ingest', 'query', 'alerting', 'probe'] as const;
export type Role = (typeof ROLES)[number];

/** Every setting of a TelemetryFlow process, read once from the environment and validated. */
export interface Config {
  /** What this process runs: `all` (the default) is every role. */
  roles: ReadonlySet<Role>;
  host: string;
  /** Prometheus /metrics (and /health, /ready for roles without the API). */
  metricsPort: number;
  logLevel: LogLevel;
  httpPort: number;
  /** TF_RATE_LIMIT_HEAVY_PER_MINUTE: searches, series queries and other raw-row reads per credential and minute. */
  heavyQueriesPerMinute: number;
  /** TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE: attribute key and value suggestions per credential and minute. */
  suggestionsPerMinute: number;
  /** TF_TRUST_PROXY: whose X-Forwarded-For the API believes (see QueryServerConfig.trustProxy). */
  trustProxy: boolean | number | string[];
  /** The API port's client timeouts and connection cap (TF_HTTP_*_TIMEOUT_MS, TF_HTTP_MAX_CONNECTIONS_PER_ADDRESS). */
  httpConnections: {
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    requestTimeoutMs: number;
    idleTimeoutMs: number;
    maxConnectionsPerAddress: number;
  };
  /** Result cache of the read API (TF_QUERY_CACHE_TTL_MS, TF_QUERY_CACHE_MAX_MB). */
  queryCache: { ttlMs: number; maxBytes: number };
  otlpHttpPort: number;
  otlpGrpcPort: number;
  otlpMaxRequestBytes: number;
  /** Timeouts and connection limits of the OTLP listeners (TF_OTLP_*_TIMEOUT_MS, TF_OTLP_MAX_CONNECTIONS_PER_ADDRESS). */
  otlpConnections: ConnectionSettings;
  /** Bytes of telemetry requests in flight per process and tenant (TF_OTLP_MAX_INFLIGHT_BYTES, TF_OTLP_MAX_TENANT_INFLIGHT_BYTES). */
  otlpAdmission: AdmissionLimits;
  /** Collector processes sharing each tenant's ingest rate quota (TF_COLLECTOR_REPLICAS): each allows rate / replicas. */
  collectorReplicas: number;
  /** How often each process writes its usage counters to ClickHouse (TF_USAGE_FLUSH_MS). */
  usageFlushMs: number;
  /** How often stored bytes per tenant and signal are measured (TF_USAGE_STORED_BYTES_MS). */
  usageStoredBytesMs: number;
  dataDir: string;
  clickhouseUrl: string | undefined;
  /** `TF_CLICKHOUSE_CLUSTER`: the ClickHouse cluster the schema is placed on. */
  clickhouseCluster: string | undefined;
  databaseUrl: string | undefined;
  ingestWorkers: number | undefined;
  ingestBatchRows: number;
  ingestBatchDelayMs: number;
  ingestBatchQuietMs: number;
  /**
   * The all-in-one's window in which a client's retry of a request is stored once
   * (TF_INGEST_DUPLICATE_WINDOW_SECONDS, TF_INGEST_DUPLICATE_WINDOW_REQUESTS; ADR 0017).
   */
  ingestDuplicateWindow: { seconds: number; requests: number };
  /** `TF_V8_HEAP_GROWING_PERCENT` (see heap-growth.ts). */
  heapGrowingPercent: number;
  bootstrap: { apiKey?: string; adminEmail?: string; adminPassword?: string };
  /** User sessions: HS256 secret (unset → generated and kept in Postgres) and token lifetimes. */
  auth: {
    jwtSecret?: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** TF_REFRESH_REUSE_GRACE_SECONDS: how long a used refresh token is forgiven (a lost answer), 0 to 60. */
    refreshReuseGraceSeconds: number;
    /** TF_SECRET_KEY: AES-256-GCM key of secrets at rest (TOTP); unset → generated and kept in Postgres. */
    secretKey?: string;
    /** TF_PUBLIC_URL: the console's public URL (passkeys' RP ID and origin). */
    publicUrl: string;
    /** TF_LOGIN_LOCKOUT_*: lockout after failed sign-ins, per account and per address. */
    lockout: LoginLockoutConfig;
  };
  /** Set: collectors publish to JetStream and writers consume from it. */
  natsUrl: string | undefined;
  jetstream: JetStreamSettings;
  jetstreamWriter: JetStreamWriterConfig;
  /** The built console served at `/` of the API port; undefined: API only. */
  consoleDir: string | undefined;
  alerting: {
    /** `TF_ALERTING_ALLOWED_CIDRS`: private targets notifications may reach anyway (self-hosted receivers). */
    allowedCidrs: string;
    /** `TF_CONSOLE_URL`: base of the console links in notifications. */
    consoleUrl: string | undefined;
    /** `TF_ALERTING_POLL_MS`: how often due rules and pending notifications are looked for. */
    pollMs: number;
    /** `TF_SMTP_*`: the relay of e-mail channels; undefined without `TF_SMTP_HOST`. */
    smtp: SmtpSettings | undefined;
  };
  probe: {
    /** `PROBE_LOCATION`: the `location` label on every check result of this process. */
    location: string;
    /** `TF_PROBE_CONCURRENCY`: checks running at once in this process. */
    concurrency: number;
    /** `TF_PROBE_POLL_MS`: how often due monitors are looked for (jittered). */
    pollMs: number;
  };
  /** OIDC single sign-on: TF_PUBLIC_URL when set (else each request's origin), TF_SSO_ALLOW_HTTP_ISSUERS; client secrets are sealed with auth.secretKey. */
  sso: { publicUrl?: string; allowHttpIssuers: boolean };
  /** Export files: TF_EXPORT_DIR (default `<TF_DATA_DIR>/exports`), TF_EXPORT_TTL_HOURS, TF_EXPORT_MAX_MB. */
  exports: { dir: string; ttlMs: number; maxBytes: number };
  /** Set: TelemetryFlow's own spans go to this OTLP/HTTP endpoint. */
  selfTracing: { endpoint: string; headers: Record<string, string>; requestRatio: number } | undefined;
}

/** The SMTP relay of e-mail channels (Alertmanager's global smtp_* settings). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** `TF_SMTP_TLS`: `starttls` (default: required), `implicit` (port 465) or `none` (plain, e.g. a local relay). */
  tls: 'starttls' | 'implicit' | 'none';
  auth: { user: string; pass: string } | undefined;
  from: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
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

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

function smtpSettings(env: Env): SmtpSettings | undefined {
  const host = optional(env, 'TF_SMTP_HOST');
  if (host === undefined) return undefined;
  const tls = oneOf(env, 'TF_SMTP_TLS', ['starttls', 'implicit', 'none'] as const, 'starttls');
  const user = optional(env, 'TF_SMTP_USER');
  const from = optional(env, 'TF_SMTP_FROM');
  if (from === undefined) throw new ConfigError('TF_SMTP_FROM is required with TF_SMTP_HOST');
  return {
    host,
    port: int(env, 'TF_SMTP_PORT', tls === 'implicit' ? 465 : 587, 1, 65_535),
    tls,
    auth: user === undefined ? undefined : { user, pass: env.TF_SMTP_PASSWORD ?? '' },
    from,
  };
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** `key=value,key=value` as in OTEL_EXPORTER_OTLP_HEADERS (values may be percent-encoded). */
export function parseHeaders(raw: string | undefined, name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ConfigError(`${name} must be a comma-separated list of key=value, got ${JSON.stringify(pair)}`);
    headers[pair.slice(0, eq).trim().toLowerCase()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return headers;
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new ConfigError(`${name} must be a number from 0 to 1, got ${JSON.stringify(raw)}`);
  return n;
}

function clusterName(env: Env): string | undefined {
  const name = optional(env, 'TF_CLICKHOUSE_CLUSTER');
  if (name === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
    throw new ConfigError(
      `TF_CLICKHOUSE_CLUSTER must be a cluster name (letters, digits, '_', '-'), got ${JSON.stringify(name)}`,
    );
  if (!optional(env, 'CLICKHOUSE_URL'))
    throw new ConfigError('TF_CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: the embedded engine is a single node');
  return name;
}

/** `false` (default), `true`, a hop count, or a comma list of proxy addresses / CIDRs. */
function trustProxy(env: Env): boolean | number | string[] {
  const raw = (env.TF_TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return int(env, 'TF_TRUST_PROXY', 0, 1, 16);
  const entries = raw.split(',').map((e) => e.trim());
  for (const e of entries) {
    const [address, bits, ...rest] = e.split('/');
    const prefix = bits === undefined ? undefined : Number(bits);
    const v4 = isIP(address ?? '') === 4;
    if (
      !isIP(address ?? '') ||
      rest.length > 0 ||
      (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (v4 ? 32 : 128)))
    ) {
      throw new ConfigError(
        `TF_TRUST_PROXY: ${JSON.stringify(e)} is not an address or CIDR (use true, false, a hop count or a comma list of addresses/CIDRs)`,
      );
    }
  }
  return entries;
}

/** Timeouts that nest: headers within the whole request, the whole request within its answer. */
function httpConnections(env: Env, trust: Config['trustProxy']): Config['httpConnections'] {
  const headersTimeoutMs = int(env, 'TF_HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const bodyTimeoutMs = int(env, 'TF_HTTP_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const requestTimeoutMs = int(env, 'TF_HTTP_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  if (headersTimeoutMs > bodyTimeoutMs)
    throw new ConfigError(
      'TF_HTTP_HEADERS_TIMEOUT_MS must not exceed TF_HTTP_BODY_TIMEOUT_MS (the headers are part of the request)',
    );
  if (bodyTimeoutMs > requestTimeoutMs)
    throw new ConfigError(
      'TF_HTTP_BODY_TIMEOUT_MS must not exceed TF_HTTP_REQUEST_TIMEOUT_MS (a request is received before it is answered)',
    );
  return {
    headersTimeoutMs,
    bodyTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: int(env, 'TF_HTTP_IDLE_TIMEOUT_MS', 5_000, 100, 600_000),
    // Behind a proxy every connection comes from the proxy: no cap unless one is asked for.
    maxConnectionsPerAddress: int(env, 'TF_HTTP_MAX_CONNECTIONS_PER_ADDRESS', trust === false ? 64 : 0, 0, 1_000_000),
  };
}

const MAX_TIMER_MS = 0x7fffffff;

function otlpConnections(env: Env): ConnectionSettings {
  const d = DEFAULT_CONNECTION_SETTINGS;
  return {
    headersTimeoutMs: int(env, 'TF_OTLP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: int(env, 'TF_OTLP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 3_600_000),
    idleTimeoutMs: int(env, 'TF_OTLP_IDLE_TIMEOUT_MS', d.idleTimeoutMs, 100, MAX_TIMER_MS),
    unauthenticatedTimeoutMs: int(env, 'TF_OTLP_UNAUTHENTICATED_TIMEOUT_MS', d.unauthenticatedTimeoutMs, 100, 600_000),
    grpcMaxConnectionAgeMs: int(
      env,
      'TF_OTLP_GRPC_MAX_CONNECTION_AGE_MS',
      d.grpcMaxConnectionAgeMs,
      1000,
      MAX_TIMER_MS,
    ),
    maxPerAddress: int(env, 'TF_OTLP_MAX_CONNECTIONS_PER_ADDRESS', d.maxPerAddress, 1, 1_000_000),
  };
}

/** The budget must hold the largest request (a gRPC call reserves that much while it arrives). */
function otlpAdmission(env: Env, maxRequestBytes: number): AdmissionLimits {
  const least = maxRequestBytes + REQUEST_OVERHEAD_BYTES;
  const maxBytes = int(
    env,
    'TF_OTLP_MAX_INFLIGHT_BYTES',
    Math.max(DEFAULT_ADMISSION_LIMITS.maxBytes, least),
    least,
    2 ** 40,
  );
  const maxTenantBytes = int(
    env,
    'TF_OTLP_MAX_TENANT_INFLIGHT_BYTES',
    Math.min(maxBytes, Math.max(DEFAULT_ADMISSION_LIMITS.maxTenantBytes, least)),
    least,
    maxBytes,
  );
  return { maxBytes, maxTenantBytes };
}

/** `all`, or a comma-separated list of roles. */
export function parseRoles(raw: string | undefined): ReadonlySet<Role> {
  const value = (raw ?? '').trim() || 'all';
  if (value === 'all') return new Set(ROLES);
  const roles = new Set<Role>();
  for (const part of value.split(',').map((p) => p.trim())) {
    if (!(ROLES as readonly string[]).includes(part))
      throw new ConfigError(
        `unknown role ${JSON.stringify(part)}: use all, or a comma-separated list of ${ROLES.join(', ')}`,
      );
    roles.add(part as Role);
  }
  return roles;
}

function cidrs(env: Env, name: string): string {
  const raw = optional(env, name) ?? '';
  try {
    parseCidrs(raw);
  } catch (err) {
    if (err instanceof AddressGuardConfigError) throw new ConfigError(`${name}: ${err.message}`);
    throw err;
  }
  return raw;
}

function natsUrls(env: Env): string | undefined {
  const raw = optional(env, 'NATS_URL');
  if (raw === undefined) return undefined;
  for (const server of raw.split(',')) url({ NATS_URL: server.trim() }, 'NATS_URL', ['nats:', 'tls:']);
  return raw;
}

/** Where `pnpm --filter @telemetryflow/console build` puts the console, seen from server/dist/src. */
const BUILT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist/web', import.meta.url));

/** `TF_CONSOLE_DIR` must hold a built console; unset, the workspace's build is used when there is one. */
function consoleDir(env: Env): string | undefined {
  const given = optional(env, 'TF_CONSOLE_DIR');
  if (given === undefined) return existsSync(join(BUILT_CONSOLE_DIR, 'index.html')) ? BUILT_CONSOLE_DIR : undefined;
  const dir = resolve(given);
  if (!existsSync(join(dir, 'index.html')))
    throw new ConfigError(
      `TF_CONSOLE_DIR must be a directory with the built console (index.html), got ${JSON.stringify(given)}`,
    );
  return dir;
}

/** TF_SECRET_KEY, TF_PUBLIC_URL and the sign-in lockout (TF_LOGIN_LOCKOUT_*). */
function signInSecurity(env: Env): Pick<Config['auth'], 'secretKey' | 'publicUrl' | 'lockout'> {
  const secretKey = optional(env, 'TF_SECRET_KEY');
  if (secretKey !== undefined) {
    try {
      parseSecretKey(secretKey);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
  }
  const publicUrl =
    url(env, 'TF_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${int(env, 'TF_HTTP_PORT', 8080, 0, 65535)}`;
  const d = DEFAULT_LOGIN_LOCKOUT;
  const baseSeconds = int(env, 'TF_LOGIN_LOCKOUT_BASE_SECONDS', d.account.baseSeconds, 1, 3600);
  const maxSeconds = int(env, 'TF_LOGIN_LOCKOUT_MAX_SECONDS', d.account.maxSeconds, baseSeconds, 24 * 3600);
  const rule = (threshold: number) => ({
    threshold,
    baseSeconds,
    maxSeconds,
    forgetAfterSeconds: Math.max(d.account.forgetAfterSeconds, maxSeconds),
  });
  return {
    ...(secretKey !== undefined ? { secretKey } : {}),
    publicUrl,
    lockout: {
      account: rule(int(env, 'TF_LOGIN_LOCKOUT_ACCOUNT_FAILURES', d.account.threshold, 1, 10_000)),
      address: rule(int(env, 'TF_LOGIN_LOCKOUT_ADDRESS_FAILURES', d.address.threshold, 1, 100_000)),
    },
  };
}

/** OIDC single sign-on: the public origin when set, http issuers (for tests and labs). */
function ssoConfig(env: Env): Config['sso'] {
  const publicUrl = url(env, 'TF_PUBLIC_URL', ['http:', 'https:']);
  if (publicUrl !== undefined && new URL(publicUrl).pathname.replace(/\/+$/, '') !== '')
    throw new ConfigError('TF_PUBLIC_URL must be an origin (scheme, host and port), without a path');
  const allowHttp = oneOf(env, 'TF_SSO_ALLOW_HTTP_ISSUERS', ['false', 'true'], 'false');
  return {
    ...(publicUrl !== undefined ? { publicUrl: new URL(publicUrl).origin } : {}),
    allowHttpIssuers: allowHttp === 'true',
  };
}

/** Settings that no longer exist: set, they stop the process rather than be silently ignored. */
const RETIRED: Record<string, string> = {
  TF_PGLITE_PORT:
    'the embedded Postgres is served only on a Unix socket in TF_DATA_DIR (docs/adr/0014); use DATABASE_URL for a database other processes reach',
};

function probeLocation(env: Env): string {
  const value = optional(env, 'PROBE_LOCATION') ?? 'local';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(value))
    throw new ConfigError('PROBE_LOCATION must be 1-63 letters, digits, dots, dashes or underscores');
  return value;
}

export function loadConfig(env: Env = process.env, roleArgument?: string): Config {
  for (const [name, why] of Object.entries(RETIRED)) {
    if (optional(env, name) !== undefined) throw new ConfigError(`${name} is no longer supported: ${why}`);
  }
  const apiKey = optional(env, 'TF_BOOTSTRAP_API_KEY');
  if (apiKey !== undefined && apiKey.length < 16)
    throw new ConfigError('TF_BOOTSTRAP_API_KEY must be at least 16 characters');
  const jwtSecret = optional(env, 'TF_JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < 32)
    throw new ConfigError('TF_JWT_SECRET must be at least 32 bytes');
  const workers = optional(env, 'TF_INGEST_WORKERS');
  const roles = parseRoles(roleArgument ?? env.TF_ROLE);
  const natsUrl = natsUrls(env);
  const alone = roles.has('collector') !== roles.has('ingest');
  if (alone && natsUrl === undefined) {
    throw new ConfigError(
      'the collector and ingest roles run apart only through JetStream: set NATS_URL, or run both in one process',
    );
  }
  const selfTracingEndpoint = url(env, 'TF_SELF_TRACING_ENDPOINT', ['http:', 'https:']);
  const js = DEFAULT_JETSTREAM_SETTINGS;
  const w = DEFAULT_JETSTREAM_WRITER_CONFIG;
  const otlpMaxRequestBytes = int(env, 'TF_OTLP_MAX_REQUEST_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  return {
    roles,
    host: env.TF_HOST || '127.0.0.1',
    metricsPort: int(env, 'TF_METRICS_PORT', 9464, 0, 65535),
    logLevel: oneOf(env, 'TF_LOG_LEVEL', LOG_LEVELS, 'info'),
    httpPort: int(env, 'TF_HTTP_PORT', 8080, 0, 65535),
    trustProxy: trustProxy(env),
    httpConnections: httpConnections(env, trustProxy(env)),
    heavyQueriesPerMinute: int(env, 'TF_RATE_LIMIT_HEAVY_PER_MINUTE', 120, 1, 1_000_000),
    suggestionsPerMinute: int(env, 'TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE', 600, 1, 1_000_000),
    queryCache: {
      ttlMs: int(env, 'TF_QUERY_CACHE_TTL_MS', 10_000, 0, 600_000),
      maxBytes: int(env, 'TF_QUERY_CACHE_MAX_MB', 64, 1, 65_536) * 1024 * 1024,
    },
    otlpHttpPort: int(env, 'TF_OTLP_HTTP_PORT', 4318, 0, 65535),
    otlpGrpcPort: int(env, 'TF_OTLP_GRPC_PORT', 4317, 0, 65535),
    otlpMaxRequestBytes,
    otlpConnections: otlpConnections(env),
    otlpAdmission: otlpAdmission(env, otlpMaxRequestBytes),
    collectorReplicas: int(env, 'TF_COLLECTOR_REPLICAS', 1, 1, 10_000),
    usageFlushMs: int(env, 'TF_USAGE_FLUSH_MS', 5_000, 10, 600_000),
    usageStoredBytesMs: int(env, 'TF_USAGE_STORED_BYTES_MS', 3_600_000, 100, 86_400_000),
    dataDir: resolve(env.TF_DATA_DIR || './data'),
    clickhouseUrl: url(env, 'CLICKHOUSE_URL', ['http:', 'https:']),
    clickhouseCluster: clusterName(env),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    ingestWorkers: workers === undefined ? undefined : int(env, 'TF_INGEST_WORKERS', 1, 1, 64),
    ingestBatchRows: int(env, 'TF_INGEST_BATCH_ROWS', 100_000, 1, 1_000_000),
    ingestBatchDelayMs: int(env, 'TF_INGEST_BATCH_DELAY_MS', 500, 1, 60_000),
    ingestBatchQuietMs: int(env, 'TF_INGEST_BATCH_QUIET_MS', 20, 1, 60_000),
    ingestDuplicateWindow: {
      seconds: int(env, 'TF_INGEST_DUPLICATE_WINDOW_SECONDS', DEFAULT_LEDGER_CONFIG.windowMs / 1000, 1, 24 * 3600),
      requests: int(env, 'TF_INGEST_DUPLICATE_WINDOW_REQUESTS', DEFAULT_LEDGER_CONFIG.maxRequests, 1000, 10_000_000),
    },
    heapGrowingPercent: int(env, 'TF_V8_HEAP_GROWING_PERCENT', 100, 0, 1000),
    bootstrap: {
      apiKey,
      adminEmail: optional(env, 'TF_BOOTSTRAP_ADMIN_EMAIL'),
      adminPassword: optional(env, 'TF_BOOTSTRAP_ADMIN_PASSWORD'),
    },
    auth: {
      jwtSecret,
      accessTokenTtlSeconds: int(env, 'TF_ACCESS_TOKEN_TTL_SECONDS', 900, 60, 24 * 3600),
      refreshTokenTtlSeconds: int(env, 'TF_REFRESH_TOKEN_TTL_SECONDS', 14 * 24 * 3600, 300, 365 * 24 * 3600),
      refreshReuseGraceSeconds: int(env, 'TF_REFRESH_REUSE_GRACE_SECONDS', DEFAULT_REFRESH_REUSE_GRACE_SECONDS, 0, 60),
      ...signInSecurity(env),
    },
    natsUrl,
    jetstream: {
      ...js,
      replicas: int(env, 'TF_NATS_REPLICAS', js.replicas, 1, 5),
      maxAgeSeconds: int(env, 'TF_NATS_MAX_AGE_HOURS', js.maxAgeSeconds / 3600, 1, 24 * 365) * 3600,
      maxBytes: int(env, 'TF_NATS_MAX_BYTES', js.maxBytes, 1024 * 1024, Number.MAX_SAFE_INTEGER),
      duplicateWindowSeconds: int(env, 'TF_NATS_DUPLICATE_WINDOW_SECONDS', js.duplicateWindowSeconds, 1, 24 * 3600),
      ackWaitSeconds: int(env, 'TF_NATS_ACK_WAIT_SECONDS', js.ackWaitSeconds, 5, 3600),
    },
    jetstreamWriter: {
      ...w,
      maxBytes: int(env, 'TF_INGEST_FETCH_BYTES', w.maxBytes, 1024 * 1024, 1024 ** 3),
      maxDelayMs: int(env, 'TF_INGEST_FETCH_DELAY_MS', w.maxDelayMs, 1000, 60_000),
      concurrency: int(env, 'TF_INGEST_CONSUMERS', w.concurrency, 1, 16),
      poisonAfterDeliveries: int(env, 'TF_INGEST_POISON_DELIVERIES', w.poisonAfterDeliveries, 1, 100),
    },
    consoleDir: consoleDir(env),
    alerting: {
      allowedCidrs: cidrs(env, 'TF_ALERTING_ALLOWED_CIDRS'),
      consoleUrl: url(env, 'TF_CONSOLE_URL', ['http:', 'https:']),
      pollMs: int(env, 'TF_ALERTING_POLL_MS', 1000, 100, 60_000),
      smtp: smtpSettings(env),
    },
    probe: {
      location: probeLocation(env),
      concurrency: int(env, 'TF_PROBE_CONCURRENCY', 100, 1, 10_000),
      pollMs: int(env, 'TF_PROBE_POLL_MS', 250, 50, 60_000),
    },
    sso: ssoConfig(env),
    exports: {
      dir: resolve(env.TF_EXPORT_DIR || join(env.TF_DATA_DIR || './data', 'exports')),
      ttlMs: int(env, 'TF_EXPORT_TTL_HOURS', 24, 1, 24 * 365) * 3_600_000,
      maxBytes: int(env, 'TF_EXPORT_MAX_MB', 2048, 1, 1024 * 1024) * 1024 * 1024,
    },
    selfTracing: selfTracingEndpoint
      ? {
          endpoint: selfTracingEndpoint,
          headers: parseHeaders(env.TF_SELF_TRACING_HEADERS, 'TF_SELF_TRACING_HEADERS'),
          requestRatio: ratio(env, 'TF_SELF_TRACING_REQUEST_RATIO', 0.01),
        }
      : undefined,
  };
}
