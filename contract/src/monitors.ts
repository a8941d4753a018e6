// Uptime monitors: what a monitor checks and how often (the shape the API validates, the
// probe runs and the console edits), and the DTOs of the monitors API.
//
// Routes (alerting's API; monitors:read / monitors:write like alert rules):
//   GET    /api/v1/monitors                              → MonitorDto[]
//   POST   /api/v1/monitors            MonitorInput      → MonitorDto (201)
//   GET    /api/v1/monitors/{id}                         → MonitorDto
//   PUT    /api/v1/monitors/{id}       MonitorInput      → MonitorDto
//   DELETE /api/v1/monitors/{id}                         → 204
//   POST   /api/v1/monitors/{id}/pause                   → MonitorDto
//   POST   /api/v1/monitors/{id}/resume                  → MonitorDto
//   GET    /api/v1/monitors/{id}/results?from&to&cursor  → CheckResultsPage (newest first)
//   GET    /api/v1/monitors/{id}/uptime?from&to&step     → UptimeDto
//   POST   /api/v1/heartbeats/{token}[?status=fail]      → 202 (public: the token is the credential)
import { RE2JS } from 're2js';
import { z } from 'zod';
import { DurationSchema, durationMs, TimeParam } from './alerting.js';

export const MIN_INTERVAL_MS = 10_000;
export const MAX_INTERVAL_MS = 86_400_000;
export const MAX_TIMEOUT_MS = 120_000;

/** A refinement may run on a value whose own check failed: no throw then. */
function safeDurationMs(d: string): number | null {
  return /^\d{1,6}(ms|s|m|h|d)$/.test(d) ? durationMs(d) : null;
}

const between = (minMs: number, maxMs: number, what: string) =>
  DurationSchema.refine(
    (d) => {
      const ms = safeDurationMs(d);
      return ms === null || (ms >= minMs && ms <= maxMs);
    },
    `${what} must be between ${minMs / 1000}s and ${maxMs / 1000}s`,
  );

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Groups of an IPv6 address part (`a:b:1.2.3.4`), an embedded IPv4 address counted as two; null when malformed. */
function ipv6Groups(part: string, mayEndInIpv4: boolean): number | null {
  if (part === '') return 0;
  const groups = part.split(':');
  let count = 0;
  for (const [i, g] of groups.entries()) {
    if (mayEndInIpv4 && i === groups.length - 1 && IPV4.test(g)) count += 2;
    else if (/^[0-9a-f]{1,4}$/i.test(g)) count += 1;
    else return null;
  }
  return count;
}

/** An IPv4 or IPv6 address literal (what node:net's isIP accepts), without Node. */
export function isIpLiteral(text: string): boolean {
  if (IPV4.test(text)) return true;
  const [addr, zone, ...more] = text.split('%');
  if (more.length > 0 || (zone !== undefined && !/^[\w.-]{1,64}$/.test(zone)) || !addr!.includes(':')) return false;
  const halves = addr!.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 1) return ipv6Groups(addr!, true) === 8;
  const [head, tail] = [ipv6Groups(halves[0]!, false), ipv6Groups(halves[1]!, true)];
  return head !== null && tail !== null && head + tail <= 7;
}

const Host = z
  .string()
  .min(1)
  .max(253)
  .refine(
    (h) => isIpLiteral(h) || /^[a-z0-9_]([a-z0-9_-]{0,62}\.)*[a-z0-9_-]{1,63}\.?$/i.test(h),
    'a host name or an IP address',
  );
const Port = z.number().int().min(1).max(65_535);

const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'an HTTP header name');
const HeaderValue = z
  .string()
  .max(4000)
  .regex(/^[^\r\n\0]*$/, 'a header value without line breaks');

/** `200`, or an inclusive range such as `200-299`. */
const StatusRange = z
  .string()
  .regex(/^[1-5]\d\d(-[1-5]\d\d)?$/, 'a status code such as 200 or a range such as 200-299');

const Re2Pattern = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((p, ctx) => {
    try {
      RE2JS.compile(p);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `not a valid RE2 regular expression: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  });

export const JSON_PATH_OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains'] as const;

export const HttpCheckSchema = z.object({
  kind: z.literal('http'),
  url: z
    .string()
    .max(2000)
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z
    .record(HeaderName, HeaderValue)
    .refine((h) => Object.keys(h).length <= 50, 'at most 50 headers')
    .default({}),
  body: z.string().max(65_536).optional(),
  /** Redirects followed (each target passes the address guard again); 0 reports the redirect itself. */
  maxRedirects: z.number().int().min(0).max(10).default(5),
  /** Accept an untrusted, expired or mismatched certificate (the check still reports its expiry). */
  ignoreTlsErrors: z.boolean().default(false),
  acceptedStatus: z.array(StatusRange).min(1).max(20).default(['200-299']),
  keyword: z
    .object({
      value: z.string().min(1).max(1000),
      present: z.boolean().default(true),
      caseSensitive: z.boolean().default(true),
    })
    .optional(),
  /** RE2 syntax, searched anywhere in the body. */
  bodyRegex: Re2Pattern.optional(),
  /** `$.data.status` style path into a JSON body, compared with `value`. */
  jsonPath: z
    .object({ path: z.string().min(1).max(500), op: z.enum(JSON_PATH_OPS).default('=='), value: z.string().max(1000) })
    .optional(),
  maxResponseMs: z.number().int().positive().max(MAX_TIMEOUT_MS).optional(),
  /** Down when the server's certificate expires in fewer days (https only). */
  certificateMinDaysLeft: z.number().int().min(0).max(3650).optional(),
});

export const TcpCheckSchema = z.object({
  kind: z.literal('tcp'),
  host: Host,
  port: Port,
});

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'PTR'] as const;

export const DnsCheckSchema = z.object({
  kind: z.literal('dns'),
  name: Host,
  recordType: z.enum(DNS_RECORD_TYPES).default('A'),
  /** `ip` or `ip:port` (`[v6]:port`); the system's resolvers when absent. */
  resolver: z
    .string()
    .max(60)
    .refine((r) => parseResolver(r) !== null, 'an IP address, optionally with :port')
    .optional(),
  /** Values that must all be among the answers (MX as `10 mail.example.com`, SRV as `priority weight port target`). */
  expected: z.array(z.string().min(1).max(1000)).max(20).default([]),
});

export const TlsCheckSchema = z.object({
  kind: z.literal('tls'),
  host: Host,
  port: Port.default(443),
  /** The name sent as SNI and checked against the certificate (default: host). */
  servername: Host.optional(),
  minDaysLeft: z.number().int().min(0).max(3650).default(14),
  ignoreTlsErrors: z.boolean().default(false),
});

/** Pushed to by a job (`POST /api/v1/heartbeats/{token}`); down when no beat came within interval + grace. */
export const HeartbeatCheckSchema = z.object({
  kind: z.literal('heartbeat'),
  grace: DurationSchema.default('1m'),
});

export const CheckSpecSchema = z.discriminatedUnion('kind', [
  HttpCheckSchema,
  TcpCheckSchema,
  DnsCheckSchema,
  TlsCheckSchema,
  HeartbeatCheckSchema,
]);
export type CheckSpec = z.infer<typeof CheckSpecSchema>;
export type HttpCheck = z.infer<typeof HttpCheckSchema>;
export type TcpCheck = z.infer<typeof TcpCheckSchema>;
export type DnsCheck = z.infer<typeof DnsCheckSchema>;
export type TlsCheck = z.infer<typeof TlsCheckSchema>;
export type HeartbeatCheck = z.infer<typeof HeartbeatCheckSchema>;

export const MonitorInputSchema = z
  .object({
    name: z.string().min(1).max(200),
    interval: between(MIN_INTERVAL_MS, MAX_INTERVAL_MS, 'interval').default('60s'),
    timeout: between(1000, MAX_TIMEOUT_MS, 'timeout').default('10s'),
    /** Failed checks in a row that are retried before the monitor is down (0: the first failure is). */
    retries: z.number().int().min(0).max(10).default(0),
    /** How soon a failed check is retried (default: the interval). */
    retryInterval: between(MIN_INTERVAL_MS, MAX_INTERVAL_MS, 'retryInterval').optional(),
    check: CheckSpecSchema,
  })
  .superRefine((m, ctx) => {
    const [timeoutMs, intervalMs] = [safeDurationMs(m.timeout), safeDurationMs(m.interval)];
    if (timeoutMs !== null && intervalMs !== null && timeoutMs > intervalMs)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout must not exceed the interval' });
    if (m.check.kind === 'http' && m.check.certificateMinDaysLeft !== undefined && !/^https:/i.test(m.check.url)) {
      ctx.addIssue({
        code: 'custom',
        path: ['check', 'certificateMinDaysLeft'],
        message: 'certificateMinDaysLeft needs an https URL',
      });
    }
    if (
      m.check.kind === 'http' &&
      m.check.body !== undefined &&
      (m.check.method === 'GET' || m.check.method === 'HEAD')
    ) {
      ctx.addIssue({ code: 'custom', path: ['check', 'body'], message: `a ${m.check.method} request has no body` });
    }
  });
export type MonitorInput = z.infer<typeof MonitorInputSchema>;

/** `1.1.1.1`, `1.1.1.1:5353`, `::1`, `[::1]:5353` → address and port; null when it is none of these. */
export function parseResolver(raw: string): { address: string; port: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(raw);
  const v4 = /^([\d.]+)(?::(\d{1,5}))?$/.exec(raw);
  const [address, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4 ? [v4[1]!, v4[2]] : [raw, undefined];
  const p = port === undefined ? 53 : Number(port);
  if (!isIpLiteral(address) || p < 1 || p > 65_535) return null;
  return { address, port: p };
}

export const MONITOR_STATUSES = ['up', 'down', 'pending', 'paused'] as const;
export type MonitorStatusName = (typeof MONITOR_STATUSES)[number];

/** A monitor as the API returns it: its config, with the state the probe last saw. */
export interface MonitorDto {
  id: string;
  name: string;
  config: MonitorInput;
  enabled: boolean;
  status: MonitorStatusName;
  /** RFC 3339: when the status last changed. */
  since: string;
  /** The latest check, null before the first. */
  lastCheck: CheckResultDto | null;
  /** Share of up checks over the last 24 hours (0..1); null without checks. */
  uptime24h: number | null;
  /** p95 response time over the last 24 hours (ms); null without checks. */
  latencyP95Ms: number | null;
  /** Heartbeat monitors only: the push URL path `/api/v1/heartbeats/{token}`. */
  heartbeatToken?: string;
  createdAt: string;
  updatedAt: string;
}

/** One check of one monitor from one probe location. */
export interface CheckResultDto {
  /** RFC 3339: when the check started. */
  time: string;
  location: string;
  up: boolean;
  latencyMs: number;
  statusCode: number | null;
  error: string | null;
  /** RFC 3339, HTTPS and TLS checks. */
  certificateExpiresAt: string | null;
}

export interface CheckResultsPage {
  results: CheckResultDto[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

/** One bucket of an uptime series; `checks` 0 means no data (not uptime). */
export interface UptimeBucketDto {
  /** RFC 3339: the bucket's start. */
  start: string;
  checks: number;
  /** Share of up checks (0..1); null without checks. */
  up: number | null;
  avgLatencyMs: number | null;
  p95LatencyMs: number | null;
}

export interface UptimeDto {
  from: string;
  to: string;
  /** Bucket width in seconds. */
  stepSeconds: number;
  buckets: UptimeBucketDto[];
  /** Over the whole range; null without checks. */
  up: number | null;
  checks: number;
}

export const UptimeQuerySchema = z.object({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  step: DurationSchema.optional(),
});
export const ResultsQuerySchema = z.object({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `POST /api/v1/heartbeats/{token}?status=fail`: the job reports its own failure (down at once). */
export const HeartbeatQuerySchema = z.object({ status: z.enum(['ok', 'fail']).default('ok') });
