// Which storage failures are transient (ClickHouse, or the control plane's Postgres): the
// store is down, unreachable, overloaded or timed out. Those are answered 503 with
// Retry-After; anything else (a bad query, a bug) stays 500.

/** Socket-level failures of a ClickHouse server connection (Node and undici codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** ClickHouse engine errors that a retry may clear (names as in ClickHouse's ErrorCodes.cpp). */
const TRANSIENT_CLICKHOUSE_ERRORS = new Map<string, string>([
  ['159', 'TIMEOUT_EXCEEDED'],
  ['160', 'TOO_SLOW'],
  ['202', 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  ['203', 'NO_FREE_CONNECTION'],
  ['209', 'SOCKET_TIMEOUT'],
  ['210', 'NETWORK_ERROR'],
  ['241', 'MEMORY_LIMIT_EXCEEDED'],
  ['242', 'TABLE_IS_READ_ONLY'],
  ['252', 'TOO_MANY_PARTS'],
  ['279', 'ALL_CONNECTION_TRIES_FAILED'],
  ['394', 'QUERY_WAS_CANCELLED'],
  ['425', 'SYSTEM_ERROR'],
  ['439', 'CANNOT_SCHEDULE_TASK'],
]);
const TRANSIENT_TYPES = new Set(TRANSIENT_CLICKHOUSE_ERRORS.values());

/** chdb (embedded engine) error codes for a lost session or a deadline. */
const CHDB_CODES = new Set(['CHDB_CONNECTION', 'CHDB_CLOSED', 'CHDB_TIMEOUT']);

/**
 * Messages of @clickhouse/client and chdb errors that carry no code, and of the control
 * plane's pool when no connection came free in time (pg-pool).
 */
const TRANSIENT_MESSAGES = [
  /^Timeout error\.$/,
  /^ChdbConnection is closed$/,
  /^socket hang up$/,
  /^timeout exceeded when trying to connect$/,
];

/**
 * True when `err` (or an error in its `cause` chain) says ClickHouse is unavailable for
 * now — connection refused or lost, request or query timeout, overload, memory limit —
 * rather than that the query itself is wrong.
 */
export function isStoreUnavailable(err: unknown): boolean {
  for (
    let e = err, depth = 0;
    typeof e === 'object' && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, type, message } = e as { code?: unknown; type?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || CHDB_CODES.has(code))) return true;
    // ClickHouseError (server and embedded): numeric code as a string, and the error name as type.
    if (typeof type === 'string' && TRANSIENT_TYPES.has(type)) return true;
    if (typeof code === 'string' && typeof type === 'string' && TRANSIENT_CLICKHOUSE_ERRORS.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some(isStoreUnavailable)) return true;
  }
  return false;
}

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;
