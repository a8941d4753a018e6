// Whether an HTTP response satisfies a monitor's assertions: pure, so every rule is tested
// without a server. The first assertion that fails is the error the owner sees.
import { RE2JS } from 're2js';
import { expiryFailure } from './certificate-expiry.js';
import type { HttpCheck } from '@telemetryflow/contract/monitors';
import { JsonPathError, parseJsonPath, readJsonPath } from './json-path.js';

export interface HttpResponseFacts {
  statusCode: number;
  body: string;
  /** The body was cut at the read limit: text assertions saw only its start. */
  bodyTruncated: boolean;
  latencyMs: number;
  /** When the server's certificate expires (https only). */
  certificateExpiresAtMs?: number;
  /** When the response was complete: the certificate's days left count from here. */
  atMs: number;
}

type Assertions = Pick<
  HttpCheck,
  'acceptedStatus' | 'keyword' | 'bodyRegex' | 'jsonPath' | 'maxResponseMs' | 'certificateMinDaysLeft'
>;

/** Null when every assertion holds, else why not. */
export function failedAssertion(a: Assertions, r: HttpResponseFacts): string | null {
  if (!a.acceptedStatus.some((range) => statusInRange(r.statusCode, range))) {
    return `HTTP ${r.statusCode}, expected ${a.acceptedStatus.join(' or ')}`;
  }
  if (a.maxResponseMs !== undefined && r.latencyMs > a.maxResponseMs) {
    return `responded in ${Math.round(r.latencyMs)} ms, more than ${a.maxResponseMs} ms`;
  }
  const expiry =
    a.certificateMinDaysLeft !== undefined && r.certificateExpiresAtMs !== undefined
      ? expiryFailure(r.certificateExpiresAtMs, r.atMs, a.certificateMinDaysLeft)
      : null;
  if (expiry !== null) return expiry;
  const cut = r.bodyTruncated ? ' (in the first part of the body that was read)' : '';
  if (a.keyword) {
    const { value, present, caseSensitive } = a.keyword;
    const found = caseSensitive ? r.body.includes(value) : r.body.toLowerCase().includes(value.toLowerCase());
    if (found !== present)
      return `keyword ${JSON.stringify(value)} ${present ? 'not found' : 'found'} in the body${cut}`;
  }
  if (a.bodyRegex !== undefined && !RE2JS.compile(a.bodyRegex).test(r.body)) {
    return `body does not match /${a.bodyRegex}/${cut}`;
  }
  if (a.jsonPath) return jsonPathFailure(a.jsonPath, r.body);
  return null;
}

/** `200` or `200-299`. */
export function statusInRange(status: number, range: string): boolean {
  const [low, high = low] = range.split('-').map(Number);
  return status >= low! && status <= high!;
}

function jsonPathFailure(a: NonNullable<HttpCheck['jsonPath']>, body: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  let found: { found: boolean; value: unknown };
  try {
    found = readJsonPath(doc, parseJsonPath(a.path));
  } catch (err) {
    if (err instanceof JsonPathError) return err.message;
    throw err;
  }
  if (!found.found) return `${a.path} not found in the body`;
  const actual = found.value;
  const shown = typeof actual === 'string' ? actual : JSON.stringify(actual);
  const holds = compare(actual, shown, a.op, a.value);
  return holds === true
    ? null
    : holds === false
      ? `${a.path} is ${JSON.stringify(actual)}, expected ${a.op} ${JSON.stringify(a.value)}`
      : holds;
}

/** True or false, or why the comparison cannot be made. */
function compare(
  actual: unknown,
  shown: string,
  op: NonNullable<HttpCheck['jsonPath']>['op'],
  expected: string,
): boolean | string {
  switch (op) {
    case '==':
      return shown === expected;
    case '!=':
      return shown !== expected;
    case 'contains':
      return Array.isArray(actual)
        ? actual.some((v) => (typeof v === 'string' ? v : JSON.stringify(v)) === expected)
        : shown.includes(expected);
    default: {
      const [x, y] = [Number(shown), Number(expected)];
      if (
        typeof actual === 'boolean' ||
        actual === null ||
        shown.trim() === '' ||
        !Number.isFinite(x) ||
        !Number.isFinite(y)
      ) {
        return `${op} compares numbers: ${JSON.stringify(actual)} and ${JSON.stringify(expected)}`;
      }
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}
