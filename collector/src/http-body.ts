// Reads an OTLP/HTTP request body with hard limits: never buffers more than maxBytes of
// compressed input and never inflates more than maxBytes of output (zlib's maxOutputLength
// stops the inflater as soon as the limit is crossed, so a gzip bomb costs at most
// maxBytes + one chunk). zlib runs on the libuv thread pool, off the event loop.
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
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
    throw new ExportError('unsupported-media-type', `unsupported Content-Encoding "${header ?? ''}"; use gzip, deflate, br or none`);
  }
  return coding;
}

const inflaters: Record<Exclude<ContentCoding, 'identity'>, (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify<Buffer, zlib.ZlibOptions, Buffer>(zlib.gunzip),
  deflate: promisify<Buffer, zlib.ZlibOptions, Buffer>(zlib.inflate),
  br: promisify<Buffer, zlib.BrotliOptions, Buffer>(zlib.brotliDecompress),
};

export interface BodyLimits {
  coding: ContentCoding;
  /** Declared `Content-Length`, when present: lets an oversized body be refused unread. */
  contentLength: number | undefined;
  maxBytes: number;
}

export async function readBody(stream: Readable, limits: BodyLimits): Promise<Uint8Array> {
  const tooLarge = () => new ExportError('too-large', `request body exceeds the limit of ${limits.maxBytes} bytes`);
  if (limits.contentLength !== undefined && limits.contentLength > limits.maxBytes) {
    discard(stream);
    throw tooLarge();
  }
  const raw = await collect(stream, limits.maxBytes);
  if (raw === null) throw tooLarge();
  if (limits.coding === 'identity' || raw.length === 0) return raw;
  try {
    return await inflaters[limits.coding](raw, { maxOutputLength: limits.maxBytes });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ExportError('too-large', `request body inflates beyond the limit of ${limits.maxBytes} bytes`);
    }
    throw new ExportError('malformed', `corrupt ${limits.coding} request body: ${(err as Error).message}`, undefined, { cause: err });
  }
}

/** Buffers the stream; null (and the rest discarded) once it grows past maxBytes. */
function collect(stream: Readable, maxBytes: number): Promise<Buffer | null> {
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
