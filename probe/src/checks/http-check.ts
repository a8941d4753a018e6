import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { assertLiteralAllowed, guardedLookup } from '@telemetryflow/alerting';
import { certificateExpiryMs } from '../certificate-expiry.js';
import { trustedCa, type CheckContext } from '../check-context.js';
import { CheckFailure } from '../check-errors.js';
import type { CheckOutcome } from '../check-result.js';
import { failedAssertion } from '../http-assertions.js';
import type { HttpCheck } from '@telemetryflow/contract/monitors';

/** Assertions read at most this much of the (decompressed) body. */
export const MAX_BODY_BYTES = 1024 * 1024;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Not sent on to another origin after a redirect (as browsers do). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

interface Hop {
  res: IncomingMessage;
  /** Of the server's certificate, when the hop was https. */
  certificateExpiresAtMs: number | null;
}

interface RequestInit {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * One HTTP(S) check: the request as configured, redirects followed up to `maxRedirects`
 * (every hop connects through the address guard again, so a redirect to a private address
 * is refused like a private target), then the assertions over the final response.
 */
export async function runHttpCheck(spec: HttpCheck, ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome> {
  const started = performance.now();
  let url = new URL(spec.url);
  let init: RequestInit = {
    method: spec.method,
    headers: { 'user-agent': 'TelemetryFlow-Probe', ...spec.headers },
    body: spec.body,
  };
  for (let redirects = 0; ; redirects++) {
    const hop = await send(url, init, spec, ctx, signal);
    const { statusCode = 0, headers } = hop.res;
    if (spec.maxRedirects > 0 && REDIRECTS.has(statusCode) && headers.location !== undefined) {
      hop.res.resume();
      if (redirects === spec.maxRedirects) throw new CheckFailure(`more than ${spec.maxRedirects} redirect(s)`);
      const next = redirectTarget(url, headers.location);
      init = redirectedInit(init, statusCode, url.origin !== next.origin);
      url = next;
      continue;
    }
    const { text, truncated } = await readBody(hop.res, headers);
    const latencyMs = performance.now() - started;
    const expiresAtMs = hop.certificateExpiresAtMs;
    const error = failedAssertion(spec, {
      statusCode,
      body: text,
      bodyTruncated: truncated,
      latencyMs,
      atMs: Date.now(),
      ...(expiresAtMs !== null ? { certificateExpiresAtMs: expiresAtMs } : {}),
    });
    return {
      up: error === null,
      latencyMs,
      statusCode,
      ...(expiresAtMs !== null ? { certificateExpiresAt: new Date(expiresAtMs).toISOString() } : {}),
      ...(error !== null ? { error } : {}),
    };
  }
}

function send(url: URL, init: RequestInit, spec: HttpCheck, ctx: CheckContext, signal: AbortSignal): Promise<Hop> {
  assertLiteralAllowed(ctx.guard, url.hostname);
  const secure = url.protocol === 'https:';
  return new Promise<Hop>((resolve, reject) => {
    const options = {
      method: init.method,
      headers: init.headers,
      signal,
      agent: false as const,
      lookup: guardedLookup(ctx.guard, ctx.resolve),
      ...(secure ? { rejectUnauthorized: !spec.ignoreTlsErrors, ca: trustedCa(ctx) } : {}),
    };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      const socket = res.socket as TLSSocket;
      resolve({ res, certificateExpiresAtMs: secure ? certificateExpiryMs(socket.getPeerCertificate()) : null });
    });
    req.once('error', reject);
    req.end(init.body);
  });
}

function redirectTarget(from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new CheckFailure('redirect to an invalid URL');
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:')
    throw new CheckFailure(`redirect to a ${next.protocol} URL`);
  return next;
}

/** 303 (and 301/302 after a POST, as browsers do) turns into a GET without a body; credentials stay with their origin. */
export function redirectedInit(init: RequestInit, status: number, crossOrigin: boolean): RequestInit {
  const toGet =
    (status === 303 && init.method !== 'HEAD') || ((status === 301 || status === 302) && init.method === 'POST');
  const headers = Object.fromEntries(
    Object.entries(init.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      if (crossOrigin && CREDENTIAL_HEADERS.includes(lower)) return false;
      return !(toGet && (lower === 'content-type' || lower === 'content-length'));
    }),
  );
  return toGet ? { method: 'GET', headers, body: undefined } : { ...init, headers };
}

/** The body as text, decompressed, cut at MAX_BODY_BYTES (the rest is not read). */
async function readBody(
  res: IncomingMessage,
  headers: IncomingHttpHeaders,
): Promise<{ text: string; truncated: boolean }> {
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  const stream = decoder ? res.pipe(decoder) : res;
  if (decoder) res.once('error', (err) => decoder.destroy(err));
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        truncated = true;
        break;
      }
    }
  } catch (err) {
    if (decoder && (err as { code?: string }).code?.startsWith('Z_'))
      throw new CheckFailure(`the body is not valid ${encoding}`);
    throw err;
  } finally {
    res.destroy();
  }
  return { text: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'), truncated };
}
