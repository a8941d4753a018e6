/** An error with a stable code and HTTP status, rendered as `{ error: { code, message, details?, requestId } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 naming the offending request parameter. */
export function invalidParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, 'invalid_parameter', `${parameter}: ${message}`, { parameter });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

/**
 * 422: the request is valid but its result would exceed a server cap; the message says
 * which parameters narrow it. Never answer with a silently truncated result instead.
 */
export function resultTooLarge(message: string, limit: number, narrow: string[] = []): ApiError {
  return new ApiError(422, 'result_too_large', message, { limit, ...(narrow.length > 0 ? { narrow } : {}) });
}
