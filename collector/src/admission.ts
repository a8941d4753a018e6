// Admission control for telemetry requests: the bytes of requests in flight (received,
// inflated, queued for and in the decoder threads, waiting for their insert) are counted per
// process and per tenant, and a request that would go past either limit is refused as
// throttled (429 / RESOURCE_EXHAUSTED with RetryInfo) instead of growing memory without
// bound. A request holds its ticket until it is answered. Transport-independent: OTLP/HTTP,
// OTLP/gRPC and any other receiver route charge the same budget.
import { ExportError, THROTTLED_RETRY_AFTER_SECONDS } from './errors.js';

export interface AdmissionLimits {
  /** Bytes in flight per process. */
  maxBytes: number;
  /** Bytes in flight per tenant (at most maxBytes). */
  maxTenantBytes: number;
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxTenantBytes: 128 * 1024 * 1024,
};

/**
 * What every request costs besides its bytes (its parsed headers, promises, a queued task):
 * bounds the number of tiny requests in flight too.
 */
export const REQUEST_OVERHEAD_BYTES = 4 * 1024;

export function validateAdmissionLimits(limits: AdmissionLimits): void {
  const { maxBytes, maxTenantBytes } = limits;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < REQUEST_OVERHEAD_BYTES)
    throw new Error(`admission maxBytes must be an integer ≥ ${REQUEST_OVERHEAD_BYTES}, got ${maxBytes}`);
  if (!Number.isSafeInteger(maxTenantBytes) || maxTenantBytes < REQUEST_OVERHEAD_BYTES || maxTenantBytes > maxBytes) {
    throw new Error(
      `admission maxTenantBytes must be an integer from ${REQUEST_OVERHEAD_BYTES} to maxBytes (${maxBytes}), got ${maxTenantBytes}`,
    );
  }
}

/** The bytes of requests in flight, per process and per tenant. One per process, shared by every receiver. */
export class InflightBytes {
  private total = 0;
  private peakTotal = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(readonly limits: AdmissionLimits = DEFAULT_ADMISSION_LIMITS) {
    validateAdmissionLimits(limits);
  }

  /** Bytes held by requests now. */
  get bytes(): number {
    return this.total;
  }

  /** The most bytes ever held at once. */
  get peak(): number {
    return this.peakTotal;
  }

  tenantBytes(tenantId: string): number {
    return this.byTenant.get(tenantId) ?? 0;
  }

  /**
   * A ticket for one request of the tenant, charged REQUEST_OVERHEAD_BYTES. Throws a
   * throttled ExportError when even that does not fit.
   */
  admit(tenantId: string): AdmissionTicket {
    const ticket = new AdmissionTicket(this, tenantId);
    ticket.charge(REQUEST_OVERHEAD_BYTES);
    return ticket;
  }

  /** @internal Takes `bytes` for the tenant, or throws without taking anything. */
  take(tenantId: string, bytes: number): void {
    const tenant = this.tenantBytes(tenantId);
    if (this.total + bytes > this.limits.maxBytes) {
      throw throttled(
        `the server has ${this.limits.maxBytes} bytes of telemetry in flight at most and is at its limit`,
      );
    }
    if (tenant + bytes > this.limits.maxTenantBytes) {
      throw throttled(
        `this tenant has ${this.limits.maxTenantBytes} bytes of telemetry in flight at most and is at its limit`,
      );
    }
    this.total += bytes;
    this.byTenant.set(tenantId, tenant + bytes);
    if (this.total > this.peakTotal) this.peakTotal = this.total;
  }

  /** @internal */
  give(tenantId: string, bytes: number): void {
    this.total -= bytes;
    const left = this.tenantBytes(tenantId) - bytes;
    if (left > 0) this.byTenant.set(tenantId, left);
    else this.byTenant.delete(tenantId);
  }
}

function throttled(why: string): ExportError {
  return new ExportError('throttled', `${why}; retry later`, THROTTLED_RETRY_AFTER_SECONDS);
}

/** One request's share of the budget; released once the request is answered. */
export class AdmissionTicket {
  private held = 0;
  private released = false;

  constructor(
    private readonly budget: InflightBytes,
    readonly tenantId: string,
  ) {}

  /** Bytes this request holds. */
  get bytes(): number {
    return this.held;
  }

  /** Takes `bytes` more; throws a throttled ExportError (taking nothing) past a limit. */
  charge(bytes: number): void {
    if (this.released || bytes <= 0) return;
    this.budget.take(this.tenantId, bytes);
    this.held += bytes;
  }

  /** Gives back what the request holds beyond `bytes` (a reservation larger than what came). */
  shrinkTo(bytes: number): void {
    if (this.released || bytes >= this.held) return;
    this.budget.give(this.tenantId, this.held - bytes);
    this.held = bytes;
  }

  /** Gives everything back; later charges are ignored. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.tenantId, this.held);
    this.held = 0;
  }
}
