// The transport-independent OTLP Export, in two steps: authorize (the bearer key, before
// any byte of the body is read) → export (admit, read the payload, hand it to the consumer,
// outcome). OTLP/HTTP and OTLP/gRPC both call it; only framing differs.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  Authenticate,
  Credential,
  ExportOutcome,
  OtlpConsumer,
  PayloadEncoding,
  RefusalReason,
  Signal,
  UsageSink,
} from '@telemetryflow/otlp';
import { ActiveSeriesLimits } from '@telemetryflow/rows';
import { InflightBytes, type AdmissionTicket } from './admission.js';
import type { ReceiverLog } from './config.js';
import type { DailyVolumeLimiter } from './daily-volume-limiter.js';
import { IngestRateLimiter } from './ingest-rate-limiter.js';
import type { CollectorMetrics } from './collector-metrics.js';
import { ExportError, isServerSide, toExportError, type ExportErrorKind } from './errors.js';

export interface ExportHandlerDeps {
  authenticate: Authenticate;
  consumer: OtlpConsumer;
  /** The bytes-in-flight budget; share one per process between receivers (default: one of the default size). */
  admission?: InflightBytes;
  /** The ingest rate quota's buckets; share one per process between receivers (default: one per receiver). */
  rateLimiter?: IngestRateLimiter;
  /** The active-series quota's sets; share one per process between receivers (default: one per receiver). */
  activeSeries?: ActiveSeriesLimits;
  /** The daily volume quota's counts; absent: daily quotas are not enforced. */
  dailyVolume?: DailyVolumeLimiter;
  log?: ReceiverLog;
  metrics?: CollectorMetrics;
  /** Per-tenant usage: items and bytes accepted, requests and items refused. */
  usage?: UsageSink;
}

/** One incoming Export call after authorization, as either transport sees it. */
export interface ExportCall {
  encoding: PayloadEncoding;
  /**
   * Produces the decompressed request body, charging its bytes (compressed and inflated)
   * to `ticket` as they come. May reject with an ExportError (too large, corrupt
   * compression, throttled).
   */
  readPayload: (ticket: AdmissionTicket) => Promise<Uint8Array>;
  /** A ticket the transport admitted already (gRPC reserves before grpc-js reads); default: admitted here. */
  ticket?: AdmissionTicket;
  /** The request's size as the transport knows it before reading (Content-Length), for usage of refusals. */
  declaredBytes?: number;
}

export interface ExportHandler {
  readonly signal: Signal;
  readonly admission: InflightBytes;
  /**
   * The caller's credential, with the ingest scope; rejects with an ExportError (counted).
   * `scheme` names the Authorization schemes taken (default: Bearer, as OTLP).
   */
  authorize(authorization: string | undefined, scheme?: AuthScheme): Promise<Credential>;
  /**
   * Admits, reads and stores one request; resolves with the outcome to encode or rejects
   * with an ExportError (counted, logged when the server is at fault). Releases the ticket.
   */
  export(credential: Credential, call: ExportCall): Promise<ExportOutcome>;
  /** Counts a refusal that happened in the transport between the two steps. */
  refuse(err: unknown, tenantId: string, bytes?: number): ExportError;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i;

/** `bearer`: `Authorization: Bearer <key>`; `bearer-or-basic` also takes Basic with the key as password. */
export type AuthScheme = 'bearer' | 'bearer-or-basic';

export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** The key of `Bearer <key>`, or the password of `Basic base64(user:key)` (any user name). */
export function bearerOrBasicToken(authorization: string | undefined): string | null {
  const bearer = bearerToken(authorization);
  if (bearer !== null || !authorization) return bearer;
  const encoded = BASIC.exec(authorization)?.[1];
  if (encoded === undefined) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' ? null : password;
}

/** Name of the span of one export request in TelemetryFlow's own traces (sampled). */
export const OTLP_EXPORT_SPAN = 'otlp.export';
const tracer = trace.getTracer('telemetryflow-collector');

const DAY_NS = 86_400n * 1_000_000_000n;

export function createExportHandler(signal: Signal, deps: ExportHandlerDeps): ExportHandler {
  const m = deps.metrics;
  const admission = deps.admission ?? new InflightBytes();
  const rateLimiter = deps.rateLimiter ?? new IngestRateLimiter();
  const activeSeries = deps.activeSeries ?? new ActiveSeriesLimits();
  const refuse = (err: unknown, tenant: string, bytes?: number): ExportError => {
    const failure = toExportError(err);
    m?.requests.inc({ signal, tenant, outcome: failure.kind });
    // Every refusal of a known tenant is its usage, by reason, so that what its clients were
    // refused equals what the usage page shows (without a valid key there is no tenant).
    const reason = refusalReason(failure.kind);
    if (tenant !== '' && reason !== undefined)
      deps.usage?.add(tenant, signal, 'refused', { requests: 1, bytes: bytes ?? 0 }, reason);
    if (isServerSide(failure))
      deps.log?.error('OTLP export failed transiently', { signal, error: describe(failure.cause ?? failure) });
    return failure;
  };

  const store = async (credential: Credential, call: ExportCall): Promise<ExportOutcome> => {
    const tenant = credential.tenantId;
    let ticket: AdmissionTicket | undefined = call.ticket;
    const rate = credential.ingestQuota?.itemsPerSecond?.[signal];
    const daily = credential.ingestQuota?.dailyItems?.[signal];
    try {
      // Over quota, the request is refused before a byte of it is read or stored.
      rateLimiter.check(tenant, signal, rate);
      await deps.dailyVolume?.check(tenant, signal, daily);
      ticket ??= admission.admit(tenant);
      const payload = await call.readPayload(ticket);
      const receivedAtNs = nowNs();
      const days = credential.rawRetentionDays?.[signal];
      const notBeforeNs = days ? receivedAtNs - BigInt(days) * DAY_NS : 0n;
      const gate = signal === 'metrics' ? activeSeries.gate(tenant, credential.ingestQuota?.activeSeries) : undefined;
      const outcome = await deps.consumer.consume({
        tenantId: tenant,
        signal,
        encoding: call.encoding,
        payload,
        receivedAtNs,
        notBeforeNs,
        ...(gate ? { activeSeries: gate } : {}),
      });
      rateLimiter.charge(tenant, signal, rate, outcome.accepted);
      deps.dailyVolume?.charge(tenant, signal, daily, outcome.accepted);
      deps.usage?.add(tenant, signal, 'accepted', { requests: 1, items: outcome.accepted, bytes: payload.byteLength });
      const overQuota = Math.min(outcome.rejected, outcome.rejectedOverQuota ?? 0);
      if (overQuota > 0) deps.usage?.add(tenant, signal, 'refused', { items: overQuota }, 'quota');
      if (outcome.rejected > overQuota)
        deps.usage?.add(tenant, signal, 'refused', { items: outcome.rejected - overQuota }, 'invalid');
      m?.requests.inc({ signal, tenant, outcome: outcome.rejected > 0 ? 'partial' : 'accepted' });
      m?.itemsAccepted.inc({ signal, tenant }, outcome.accepted);
      if (outcome.rejected > 0) m?.itemsRejected.inc({ signal, tenant }, outcome.rejected);
      return outcome;
    } catch (err) {
      throw refuse(err, tenant, call.declaredBytes);
    } finally {
      ticket?.release();
    }
  };

  return {
    signal,
    admission,
    refuse,
    async authorize(authorization, scheme = 'bearer') {
      let tenant = '';
      try {
        const credential = await authenticate(deps.authenticate, authorization, scheme);
        tenant = credential.tenantId;
        if (!credential.scopes.includes('ingest')) throw new ExportError('forbidden', 'API key lacks the ingest scope');
        return credential;
      } catch (err) {
        throw refuse(err, tenant);
      }
    },
    export: (credential, call) =>
      tracer.startActiveSpan(
        OTLP_EXPORT_SPAN,
        {
          attributes: {
            'telemetryflow.signal': signal,
            'rpc.system': 'otlp',
            'telemetryflow.tenant': credential.tenantId,
          },
        },
        async (span) => {
          try {
            const outcome = await store(credential, call);
            span.setAttributes({
              'telemetryflow.items.accepted': outcome.accepted,
              'telemetryflow.items.rejected': outcome.rejected,
            });
            return outcome;
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as ExportError).kind });
            throw err;
          } finally {
            span.end();
          }
        },
      ),
  };
}

/** The usage reason of a refusal; undefined for the one kind that names no tenant. */
export function refusalReason(kind: ExportErrorKind): RefusalReason | undefined {
  return REFUSAL_REASON[kind];
}

const REFUSAL_REASON: Record<ExportErrorKind, RefusalReason | undefined> = {
  'over-quota': 'quota',
  throttled: 'overload',
  malformed: 'invalid',
  'unsupported-media-type': 'invalid',
  'too-large': 'too-large',
  forbidden: 'forbidden',
  timeout: 'timeout',
  unavailable: 'unavailable',
  unauthenticated: undefined,
};

async function authenticate(
  authenticateKey: Authenticate,
  authorization: string | undefined,
  scheme: AuthScheme,
): Promise<Credential> {
  const token = scheme === 'bearer' ? bearerToken(authorization) : bearerOrBasicToken(authorization);
  if (token === null) {
    const wanted = scheme === 'bearer' ? 'Bearer <api key>' : 'Bearer <api key>, or Basic with the API key as password';
    throw new ExportError('unauthenticated', `missing or malformed Authorization: ${wanted}`);
  }
  // A throwing authenticator (database down) is transient: toExportError makes it 503 / UNAVAILABLE.
  const credential = await authenticateKey(token);
  if (credential === null) throw new ExportError('unauthenticated', 'unknown or revoked API key');
  return credential;
}

// Wall-clock nanoseconds: epoch milliseconds at start-up plus the monotonic clock since.
const startEpochNs = BigInt(Date.now()) * 1_000_000n;
const startHrNs = process.hrtime.bigint();

function nowNs(): bigint {
  return startEpochNs + (process.hrtime.bigint() - startHrNs);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
