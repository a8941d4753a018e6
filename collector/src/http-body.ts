// Reads an OTLP/HTTP request body with hard limits: never buffers more than maxBytes of
// compressed input and never inflates more than maxBytes of output (the inflater is stopped
// as soon as the limit is crossed, so a gzip bomb costs at most maxBytes + one chunk). Every
// byte received and inflated is charged to the request's admission ticket as it comes, so
// many bombs at once are throttled instead of growing memory. zlib runs on the libuv thread
// pool, off the event loop.
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { AdmissionTicket } from './admission.js';
import { ExportError } from './errors.js';

export type ContentCoding = 'identity' | 'gzip' | 'deflate' | 'br';

const CODINGS: Record<string, ContentCoding> = {
  identity: 'identity',
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
};

/**
 * The one content coding of a request (`Content-Encoding`). Unknown or stacked codings are
 * 415 Unsupported Media Type (RFC 9110 §15.5.16: the content's format, including its
 * Content-Encoding, is not supported).
 */
export function parseContentEncoding(header: string | undefined): ContentCoding {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return 'identity';
  const coding = codings.length === 1 ? CODINGS[codings[0] as string] : undefined;
  if (coding === undefined) {
    throw new ExportError(
      'unsupported-media-type',
      `unsupported Content-Encoding "${header ?? ''}"; use gzip, deflate, br or none`,
    );
  }
  return coding;
}

/** Output chunks of the inflater: each is charged to the ticket before the next is made. */
const INFLATE_CHUNK_BYTES = 64 * 1024;

export interface BodyLimits {
  coding: ContentCoding;
  /** Declared `Content-Length`, when present: lets an oversized body be refused unread. */
  contentLength: number | undefined;
  maxBytes: number;
  /** The request's share of the bytes in flight: charged with what is received and inflated. */
  ticket: AdmissionTicket;
}

export async function readBody(stream: Readable, limits: BodyLimits): Promise<Uint8Array> {
  const tooLarge = () => new ExportError('too-large', `request body exceeds the limit of ${limits.maxBytes} bytes`);
  const { contentLength, ticket } = limits;
  if (contentLength !== undefined && contentLength > limits.maxBytes) {
    discard(stream);
    throw tooLarge();
  }
  if (contentLength !== undefined) {
    // The declared size is charged before anything is read: a throttled body is never buffered.
    try {
      ticket.charge(contentLength);
    } catch (err) {
      discard(stream);
      throw err;
    }
  }
  const raw = await collect(stream, limits.maxBytes, contentLength === undefined ? ticket : undefined);
  if (raw === null) throw tooLarge();
  if (limits.coding === 'identity' || raw.length === 0) return raw;
  return inflate(raw, limits.coding, limits.maxBytes, ticket);
}

function createInflater(
  coding: Exclude<ContentCoding, 'identity'>,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress {
  if (coding === 'gzip') return zlib.createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  if (coding === 'deflate') return zlib.createInflate({ chunkSize: INFLATE_CHUNK_BYTES });
  return zlib.createBrotliDecompress({ chunkSize: INFLATE_CHUNK_BYTES });
}

/** Inflates chunk by chunk, charging each to the ticket; stops at maxBytes of output. */
function inflate(
  raw: Buffer,
  coding: Exclude<ContentCoding, 'identity'>,
  maxBytes: number,
  ticket: AdmissionTicket,
): Promise<Buffer> {
  const inflater = createInflater(coding);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: ExportError) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      inflater.destroy();
      reject(err);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        fail(new ExportError('too-large', `request body inflates beyond the limit of ${maxBytes} bytes`));
        return;
      }
      try {
        ticket.charge(chunk.length);
      } catch (err) {
        fail(err as ExportError);
        return;
      }
      chunks.push(chunk);
    });
    inflater.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    inflater.on('error', (err: Error) =>
      fail(new ExportError('malformed', `corrupt ${coding} request body: ${err.message}`, undefined, { cause: err })),
    );
    inflater.end(raw);
  });
}

/**
 * Buffers the stream; null (and the rest discarded) once it grows past maxBytes. Charges
 * each chunk to `ticket` when given (bodies without a declared length).
 */
function collect(stream: Readable, maxBytes: number, ticket: AdmissionTicket | undefined): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        discard(stream);
        resolve(null);
        return;
      }
      try {
        ticket?.charge(chunk.length);
      } catch (err) {
        cleanup();
        chunks.length = 0;
        discard(stream);
        reject(err);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ExportError('malformed', `request body could not be read: ${err.message}`, undefined, { cause: err }));
    };
    const onClose = () => onError(new Error('connection closed before the body was complete'));
    // The body is read after authentication; the client may have gone away meanwhile.
    if (stream.destroyed || stream.readableAborted) {
      onClose();
      return;
    }
    if (stream.readableEnded) {
      onEnd();
      return;
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Lets the rest of a refused body flow into the void so the keep-alive connection stays
 * usable and the client reads the response instead of a reset.
 */
function discard(stream: Readable): void {
  stream.on('error', () => {});
  stream.resume();
}
