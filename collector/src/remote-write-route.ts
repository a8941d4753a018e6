// Prometheus remote write 1.0 on the OTLP/HTTP listener: POST /api/v1/push and /api/v1/write
// with a snappy-compressed (block format) protobuf prometheus.WriteRequest. The same export
// handler as OTLP metrics (authorize before any body byte, bytes in flight, size caps, the
// consumer, one error classification); only the framing differs: the key may also come as the
// Basic password, the body is snappy, success is 204 with no body, and samples that can never
// be stored make the answer 400 (the others are stored; Prometheus does not retry a 4xx).
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { uncompress } from 'snappy';
import type { AdmissionTicket } from './admission.js';
import { ExportError, toExportError, toRemoteWriteError } from './errors.js';
import type { ExportHandler } from './export-handler.js';
import { readBody } from './http-body.js';

export const REMOTE_WRITE_PATHS = ['/api/v1/push', '/api/v1/write'] as const;

export interface RemoteWriteRouteDeps {
  /** The metrics export handler. */
  handler: ExportHandler;
  maxRequestBytes: number;
  /** Called once the caller is authenticated (the connection guard stops its timer). */
  authenticated: (request: FastifyRequest) => void;
}

export function registerRemoteWriteRoutes(app: FastifyInstance, deps: RemoteWriteRouteDeps): void {
  const { handler, maxRequestBytes } = deps;
  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const credential = await handler.authorize(request.headers.authorization, 'bearer-or-basic');
      deps.authenticated(request);
      const declared = Number(request.headers['content-length']);
      const declaredBytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
      // Authenticated first, so that a framing refusal is counted in the tenant's usage.
      try {
        checkFraming(request);
      } catch (err) {
        throw handler.refuse(err, credential.tenantId, declaredBytes);
      }
      const outcome = await handler.export(credential, {
        encoding: 'remote-write',
        ...(declaredBytes !== undefined ? { declaredBytes } : {}),
        readPayload: (ticket) => readWriteRequest(request, maxRequestBytes, ticket),
      });
      if (outcome.rejected > 0) {
        // Stored what could be; the rest can never be: a retry would not help (remote-write spec: 400).
        return sendError(
          reply,
          new ExportError('malformed', `${outcome.rejected} sample(s) not stored: ${outcome.errorMessage}`),
        );
      }
      return reply.code(204).send();
    } catch (err) {
      // Refusals are counted by the handler (in the tenant's usage once it is known).
      return sendError(reply, err);
    }
  };
  for (const path of REMOTE_WRITE_PATHS) app.post(path, route);
}

/**
 * Remote write 1.0 is protobuf with snappy; an absent Content-Type or Content-Encoding is taken
 * as those (older senders). Anything else — remote write 2.0's
 * `application/x-protobuf;proto=io.prometheus.write.v2.Request` included — is 415, which a 2.0
 * sender answers by falling back to 1.0.
 */
function checkFraming(request: FastifyRequest): void {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined) {
    const [mediaType, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
    const proto = params.find((p) => p.startsWith('proto='))?.slice('proto='.length);
    if (mediaType !== 'application/x-protobuf' || (proto !== undefined && proto !== 'prometheus.writerequest')) {
      throw new ExportError(
        'unsupported-media-type',
        `unsupported Content-Type "${contentType}"; remote write 1.0 is application/x-protobuf (prometheus.WriteRequest)`,
      );
    }
  }
  const coding = request.headers['content-encoding']?.trim().toLowerCase();
  if (coding !== undefined && coding !== 'snappy') {
    throw new ExportError(
      'unsupported-media-type',
      `unsupported Content-Encoding "${coding}"; remote write 1.0 bodies are snappy-compressed`,
    );
  }
}

/**
 * The body, then its snappy block: the uncompressed length its preamble declares is checked
 * against the cap and charged to the ticket before anything is decompressed (on the libuv
 * thread pool, off the event loop).
 */
async function readWriteRequest(
  request: FastifyRequest,
  maxBytes: number,
  ticket: AdmissionTicket,
): Promise<Uint8Array> {
  const declared = request.headers['content-length'];
  const contentLength = declared === undefined ? undefined : Number(declared);
  const stream = (request.body as Readable | undefined) ?? request.raw;
  const compressed = await readBody(stream, {
    coding: 'identity',
    contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
    maxBytes,
    ticket,
  });
  return uncompressSnappy(compressed, maxBytes, ticket);
}

/**
 * Decompresses a snappy block (block format, as remote write 1.0 sends) of at most maxBytes;
 * rejects with a classified ExportError. A block whose content does not match its declared
 * length is corrupt.
 */
export async function uncompressSnappy(
  compressed: Uint8Array,
  maxBytes: number,
  ticket?: AdmissionTicket,
): Promise<Uint8Array> {
  const length = snappyLength(compressed);
  if (length === null) throw new ExportError('malformed', 'request body is not snappy-compressed (block format)');
  if (length > maxBytes)
    throw new ExportError('too-large', `request body decompresses beyond the limit of ${maxBytes} bytes`);
  ticket?.charge(length);
  try {
    return (await uncompress(compressed, { asBuffer: true })) as Buffer;
  } catch (err) {
    throw new ExportError('malformed', `corrupt snappy request body: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
}

/** The uncompressed length a snappy block starts with (a varint of at most 32 bits), or null. */
function snappyLength(block: Uint8Array): number | null {
  let length = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length;
  }
  return null;
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const response = toRemoteWriteError(toExportError(err));
  return reply.code(response.statusCode).headers(response.headers).send(response.body);
}
