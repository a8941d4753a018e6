import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ApiErrorBody } from '@telemetryflow/contract';
import { ApiError } from './api-error.js';
import { auditEventOf, needsAuditFromFilter, type AuditedRequest, type AuditSink } from './audit.js';
import { isStoreUnavailable, RETRY_AFTER_SECONDS } from './store-errors.js';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): void;
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Where the filter leaves the error code on the raw request, for the request log line. */
export const ERROR_CODE = Symbol('tfErrorCode');
export interface ErrorTagged {
  [ERROR_CODE]?: string;
}

/** Every error leaves as `{ error: { code, message, details?, requestId } }`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  /**
   * `audit`: where refusals of state-changing calls that never reached a handler (401 and 403
   * from a guard, 429, 400 from a body the server refused) are recorded. Not awaited: a
   * refusal is not an answer that promises durability, and a slow store must not delay it.
   */
  constructor(
    private readonly log: (msg: string) => void,
    private readonly audit?: AuditSink,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<{ id?: string; method?: string; url?: string; raw?: ErrorTagged }>();
    const reply = http.getResponse<ReplyLike>();
    const requestId = String(req.id ?? '');
    let status = 500;
    let code = 'internal';
    let message = 'internal error';
    let details: unknown;
    let retryAfter: number | undefined;
    if (exception instanceof ApiError) {
      ({ status, code, message, details } = exception);
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
      const res = exception.getResponse();
      const raw =
        typeof res === 'object' && res !== null && 'message' in res
          ? (res as { message: unknown }).message
          : exception.message;
      message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    } else if (isFastifyClientError(exception)) {
      status = exception.statusCode;
      code = CODES[status] ?? 'bad_request';
      message = exception.message;
    } else if (isStoreUnavailable(exception)) {
      status = 503;
      code = 'unavailable';
      message = 'a store is unavailable or overloaded; retry later';
      retryAfter = RETRY_AFTER_SECONDS;
    }
    if (status === 503 && retryAfter === undefined && exception instanceof ApiError) retryAfter = RETRY_AFTER_SECONDS;
    // A 429 that knows its wait (a sign-in lockout) tells it in Retry-After too.
    if (status === 429 && exception instanceof ApiError) {
      const wait = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (typeof wait === 'number') retryAfter = wait;
    }
    if (status >= 500) {
      this.log(
        `request ${requestId} ${req.method ?? ''} ${req.url ?? ''} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (req.raw) req.raw[ERROR_CODE] = code;
    if (this.audit && needsAuditFromFilter(req as AuditedRequest))
      this.audit
        .record(auditEventOf(req as AuditedRequest, status, undefined, undefined))
        .catch((err: unknown) => this.log(`request ${requestId}: audit event not recorded: ${String(err)}`));
    const body: ApiErrorBody = { error: { code, message, ...(details !== undefined ? { details } : {}), requestId } };
    reply.status(status).header('x-request-id', requestId);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    reply.send(body);
  }
}

function isFastifyClientError(e: unknown): e is { statusCode: number; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    'statusCode' in e &&
    typeof (e as { statusCode: unknown }).statusCode === 'number' &&
    (e as { statusCode: number }).statusCode >= 400 &&
    (e as { statusCode: number }).statusCode < 500
  );
}
