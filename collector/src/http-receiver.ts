// OTLP/HTTP on fastify: POST /v1/traces, /v1/metrics, /v1/logs with binary protobuf or
// OTLP/JSON bodies, optionally gzip/deflate/br-compressed; Prometheus remote write on the same
// listener (remote-write-route.ts). The response mirrors the request's
// Content-Type; errors are google.rpc.Status bodies (errors.ts decides the status codes).
// Node's HTTP server cuts slow headers and bodies (408) and idle keep-alive connections; the
// connection guard caps connections per address and closes unauthenticated ones.
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { SIGNALS, encodeExportResponse, type OtlpEncoding } from '@telemetryflow/otlp';
import { ActiveSeriesLimits } from '@telemetryflow/rows';
import { IngestRateLimiter } from './ingest-rate-limiter.js';
import { InflightBytes, type AdmissionTicket } from './admission.js';
import { connectionSettings, validateReceiverConfig, type ReceiverConfig, type RunningReceiver } from './config.js';
import { ConnectionGuard } from './connection-guard.js';
import { ExportError, httpFallbackError, toExportError, toHttpError, type HttpErrorResponse } from './errors.js';
import { createExportHandler, type ExportHandlerDeps } from './export-handler.js';
import { parseContentEncoding, readBody } from './http-body.js';
import { REMOTE_WRITE_PATHS, registerRemoteWriteRoutes } from './remote-write-route.js';

const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** The encoding named by a Content-Type header (parameters such as charset ignored), or null. */
export function encodingOfContentType(header: string | undefined): OtlpEncoding | null {
  const mediaType = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return null;
}

/** An empty body carries no telemetry: it is the empty Export request, which in JSON reads `{}`. */
const EMPTY_JSON_REQUEST = Buffer.from('{}');

export async function startOtlpHttpReceiver(cfg: ReceiverConfig, deps: ExportHandlerDeps): Promise<RunningReceiver> {
  validateReceiverConfig(cfg);
  const conn = connectionSettings(cfg);
  const admission = deps.admission ?? new InflightBytes();
  const rateLimiter = deps.rateLimiter ?? new IngestRateLimiter();
  const activeSeries = deps.activeSeries ?? new ActiveSeriesLimits();
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: conn.requestTimeoutMs,
    keepAliveTimeout: conn.idleTimeoutMs,
    // Node checks headers and request timeouts every connectionsCheckingInterval.
    http: {
      headersTimeout: conn.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(conn.headersTimeoutMs / 4)),
    },
  });
  const guard = new ConnectionGuard(conn, (reason) =>
    deps.metrics?.connectionsClosed.inc({ listener: 'http', reason }),
  );
  app.server.on('connection', (socket: Socket) => guard.accept(socket));

  // Bodies are read by the route itself (after authentication, with the decompression cap),
  // so every content type passes through untouched as the raw request stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  for (const signal of SIGNALS) {
    const handler = createExportHandler(signal, { ...deps, admission, rateLimiter, activeSeries });
    app.post(`/v1/${signal}`, async (request, reply) => {
      const encoding = encodingOfContentType(request.headers['content-type']);
      try {
        const credential = await handler.authorize(request.headers.authorization);
        guard.authenticated(request.raw.socket.remoteAddress, request.raw.socket.remotePort);
        // Authenticated first, so that the refusal is counted in the tenant's usage.
        if (encoding === null) {
          const err = new ExportError(
            'unsupported-media-type',
            `unsupported Content-Type "${request.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json`,
          );
          return sendError(reply, handler.refuse(err, credential.tenantId, declaredLength(request)), 'json');
        }
        const outcome = await handler.export(credential, {
          encoding,
          declaredBytes: declaredLength(request),
          readPayload: (ticket) => readRequestBody(request, encoding, cfg.maxRequestBytes, ticket),
        });
        return reply
          .code(200)
          .header('content-type', CONTENT_TYPE[encoding])
          .send(Buffer.from(encodeExportResponse(signal, outcome, encoding)));
      } catch (err) {
        return sendError(reply, toExportError(err), encoding ?? 'json');
      }
    });
  }

  // Prometheus remote write 1.0, stored as metrics through the same handler and budget.
  registerRemoteWriteRoutes(app, {
    handler: createExportHandler('metrics', { ...deps, admission, rateLimiter, activeSeries }),
    maxRequestBytes: cfg.maxRequestBytes,
    authenticated: (request) => guard.authenticated(request.raw.socket.remoteAddress, request.raw.socket.remotePort),
  });

  // Anything that escapes the routes (fastify's own errors, unknown paths) still gets a
  // google.rpc.Status body, never a crash.
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const response = httpFallbackError(error.statusCode ?? 500, error.message ?? 'request failed');
    if (response.statusCode >= 500)
      deps.log?.error('OTLP/HTTP request failed', { requestId: request.id, url: request.url, error: error.message });
    return sendStatus(reply, response, 'json');
  });
  // An Export path exists for POST only: another method is 405 with Allow (RFC 9110), not 404.
  const exportPaths = new Set<string>([...SIGNALS.map((signal) => `/v1/${signal}`), ...REMOTE_WRITE_PATHS]);
  app.setNotFoundHandler((request, reply) => {
    if (exportPaths.has(request.url.split('?', 1)[0]!)) {
      return sendStatus(
        reply.header('allow', 'POST'),
        httpFallbackError(405, `${request.method} is not allowed on ${request.url}: use POST`),
        'json',
      );
    }
    return sendStatus(reply, httpFallbackError(404, `no OTLP endpoint at ${request.method} ${request.url}`), 'json');
  });

  await app.listen({ host: cfg.host, port: cfg.httpPort });
  const port = (app.server.address() as AddressInfo).port;
  return { port, close: () => app.close() };
}

async function readRequestBody(
  request: FastifyRequest,
  encoding: OtlpEncoding,
  maxBytes: number,
  ticket: AdmissionTicket,
): Promise<Uint8Array> {
  const coding = parseContentEncoding(request.headers['content-encoding']);
  const declared = request.headers['content-length'];
  const contentLength = declared === undefined ? undefined : Number(declared);
  // Without a body fastify hands over no stream (no Content-Type parser ran).
  const stream = (request.body as Readable | undefined) ?? request.raw;
  const body = await readBody(stream, {
    coding,
    contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
    maxBytes,
    ticket,
  });
  return body.length === 0 && encoding === 'json' ? EMPTY_JSON_REQUEST : body;
}

function declaredLength(request: FastifyRequest): number | undefined {
  const declared = Number(request.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
}

function sendError(reply: FastifyReply, err: ExportError, encoding: OtlpEncoding): FastifyReply {
  return sendStatus(reply, toHttpError(err, encoding), encoding);
}

function sendStatus(reply: FastifyReply, response: HttpErrorResponse, encoding: OtlpEncoding): FastifyReply {
  return reply
    .code(response.statusCode)
    .headers(response.headers)
    .header('content-type', CONTENT_TYPE[encoding])
    .send(Buffer.from(response.body));
}
