import { z } from 'zod';

/** `GET /api/v1/usage` query: the range (default the last hour) and the bucket width in seconds. */
export const UsageParamsSchema = z
  .object({
    from: z.string().max(64).describe('RFC 3339 or epoch milliseconds').optional(),
    to: z.string().max(64).describe('RFC 3339 or epoch milliseconds').optional(),
    step: z.string().regex(/^\d+$/, 'must be a non-negative integer').optional(),
  })
  .strict();

/**
 * Why requests or items were refused: over an ingest quota, the server's or tenant's bytes in
 * flight, undecodable or wrongly framed (or items a partial success rejected), over the size
 * cap, a key without the ingest scope, not arrived in time, a transient server failure.
 */
export const USAGE_REFUSAL_REASONS = [
  'quota',
  'overload',
  'invalid',
  'too-large',
  'forbidden',
  'timeout',
  'unavailable',
] as const;
export type UsageRefusalReason = (typeof USAGE_REFUSAL_REASONS)[number];

/**
 * One bucket of a tenant's usage (`GET /api/v1/usage`): `signal` traces|metrics|logs with
 * `kind` accepted|refused (refused: with its `reason`) or stored (a gauge: bytes on disk and
 * rows of the signal's raw tables as last measured in the bucket, an approximation), or
 * `queries` with kind `run` (items: rows returned; PromQL sample reads: samples read, and bytes read against a server).
 */
export interface UsagePointDto {
  /** Start of the bucket, RFC 3339. */
  time: string;
  signal: string;
  kind: string;
  /** Present for kind `refused`. */
  reason?: UsageRefusalReason;
  requests: number;
  items: number;
  bytes: number;
}

export interface UsageDto {
  /** Bucket width in seconds (a multiple of 3600). */
  step: number;
  points: UsagePointDto[];
}
