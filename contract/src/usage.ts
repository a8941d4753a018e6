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
 * One bucket of a tenant's usage (`GET /api/v1/usage`): `signal` traces|metrics|logs with
 * `kind` accepted|refused, or `queries` with kind `run` (items: rows returned).
 */
export interface UsagePointDto {
  /** Start of the bucket, RFC 3339. */
  time: string;
  signal: string;
  kind: string;
  requests: number;
  items: number;
  bytes: number;
}

export interface UsageDto {
  /** Bucket width in seconds (a multiple of 3600). */
  step: number;
  points: UsagePointDto[];
}
