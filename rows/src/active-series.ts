// The active-series quota: each tenant's series seen recently, in hash sets of fingerprints
// kept in SharedArrayBuffers, so that the decoder threads of a process (which compute the
// fingerprints) check and add series in the same sets, without a round trip to the main thread.
//
// "Active" is seen within the last one to two windows: the main thread keeps two
// generations per tenant and, once a window has passed, drops the older and starts a new
// current one. A series found only in the previous generation is moved into the current
// one (it is still active); the active count is |current ∪ previous| = current + previous −
// moved. A new series is admitted while that count is below the limit. Threads that admit
// new series at the same moment may each take the last free place: the limit can be passed
// by at most the number of decoder threads minus one.
import type { ActiveSeriesGate } from '@telemetryflow/otlp';

/** A series is active when it was seen within the last one to two windows of this length. */
export const ACTIVE_SERIES_WINDOW_MS = 10 * 60_000;

const HEADER_BYTES = 8; // Int32 count, Int32 unused (keeps the keys 8-byte aligned)

interface Generation {
  counts: Int32Array;
  keys: BigInt64Array;
  mask: number;
}

function allocate(limit: number): SharedArrayBuffer {
  // At most limit (+ the overshoot) keys live in one generation: twice that keeps probes short.
  let capacity = 64;
  while (capacity < 2 * limit + 64) capacity *= 2;
  return new SharedArrayBuffer(HEADER_BYTES + capacity * 8);
}

function view(buffer: SharedArrayBuffer): Generation {
  const keys = new BigInt64Array(buffer, HEADER_BYTES);
  return { counts: new Int32Array(buffer, 0, 2), keys, mask: keys.length - 1 };
}

/** The fingerprint (unsigned decimal) as a non-zero key: 0 marks an empty slot. */
function keyOf(fingerprint: string): bigint {
  const key = BigInt.asIntN(64, BigInt(fingerprint));
  return key === 0n ? 1n : key;
}

function slotOf(key: bigint, mask: number): number {
  // xxHash64 spreads its low bits evenly.
  return Number(BigInt.asUintN(32, key)) & mask;
}

function has(g: Generation, key: bigint): boolean {
  for (let i = slotOf(key, g.mask), probes = 0; probes <= g.mask; i = (i + 1) & g.mask, probes++) {
    const at = Atomics.load(g.keys, i);
    if (at === key) return true;
    if (at === 0n) return false;
  }
  return false;
}

/** Adds the key; false when it was there already or the set is full. */
function insert(g: Generation, key: bigint): boolean {
  if (Atomics.load(g.counts, 0) >= g.mask) return false;
  for (let i = slotOf(key, g.mask), probes = 0; probes <= g.mask; i = (i + 1) & g.mask, probes++) {
    const before = Atomics.compareExchange(g.keys, i, 0n, key);
    if (before === 0n) {
      Atomics.add(g.counts, 0, 1);
      return true;
    }
    if (before === key) return false;
  }
  return false;
}

/**
 * The decoder thread's side: decides per series fingerprint whether its points may be stored
 * (known active series always; a new one while the tenant is under its limit).
 */
export function seriesAdmitter(gate: ActiveSeriesGate): (fingerprint: string) => boolean {
  const current = view(gate.current);
  const previous = view(gate.previous);
  const moved = new Int32Array(gate.moved);
  const decided = new Map<string, boolean>();
  return (fingerprint) => {
    const known = decided.get(fingerprint);
    if (known !== undefined) return known;
    const key = keyOf(fingerprint);
    let admitted = true;
    if (!has(current, key)) {
      if (has(previous, key)) {
        if (insert(current, key)) Atomics.add(moved, 0, 1);
      } else {
        const active = Atomics.load(current.counts, 0) + Atomics.load(previous.counts, 0) - Atomics.load(moved, 0);
        admitted = active < gate.limit && insert(current, key);
        // Another thread may have added it just now: then it is known.
        if (!admitted && has(current, key)) admitted = true;
      }
    }
    decided.set(fingerprint, admitted);
    return admitted;
  };
}

interface TenantSeries {
  limit: number;
  gate: ActiveSeriesGate;
  rotatedAt: number;
}

export interface ActiveSeriesLimitsOptions {
  /** Processes sharing each tenant's limit (each allows limit / replicas). Default 1. */
  replicas?: () => number;
  now?: () => number;
  windowMs?: number;
}

/**
 * The main thread's side: one gate per tenant with an active-series quota, its generations
 * rotated once a window has passed. The gate goes with each metrics request to the threads.
 */
export class ActiveSeriesLimits {
  private readonly tenants = new Map<string, TenantSeries>();
  private readonly replicas: () => number;
  private readonly now: () => number;
  private readonly windowMs: number;

  constructor(opts: ActiveSeriesLimitsOptions = {}) {
    this.replicas = opts.replicas ?? (() => 1);
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.windowMs ?? ACTIVE_SERIES_WINDOW_MS;
  }

  /** The gate for the tenant's next metrics request; undefined without a quota. */
  gate(tenantId: string, quota: number | undefined): ActiveSeriesGate | undefined {
    if (typeof quota !== 'number' || !Number.isFinite(quota) || quota <= 0) {
      this.tenants.delete(tenantId);
      return undefined;
    }
    const limit = Math.max(1, Math.floor(quota / Math.max(1, this.replicas())));
    const now = this.now();
    let t = this.tenants.get(tenantId);
    if (!t || t.limit !== limit) {
      t = { limit, gate: this.resized(t?.gate, limit), rotatedAt: t?.rotatedAt ?? now };
      this.tenants.set(tenantId, t);
    }
    if (now - t.rotatedAt >= this.windowMs) {
      const expiredBoth = now - t.rotatedAt >= 2 * this.windowMs;
      t.gate = {
        limit,
        current: allocate(limit),
        previous: expiredBoth ? allocate(limit) : t.gate.current,
        moved: new SharedArrayBuffer(4),
      };
      t.rotatedAt = now;
    }
    return t.gate;
  }

  /** Active series of the tenant as this process counts them. */
  active(tenantId: string): number {
    const t = this.tenants.get(tenantId);
    if (!t) return 0;
    return view(t.gate.current).counts[0]! + view(t.gate.previous).counts[0]! - new Int32Array(t.gate.moved)[0]!;
  }

  /** A gate for a new limit, with the series of the old one (both generations, merged into current). */
  private resized(old: ActiveSeriesGate | undefined, limit: number): ActiveSeriesGate {
    const gate = { limit, current: allocate(limit), previous: allocate(limit), moved: new SharedArrayBuffer(4) };
    if (!old) return gate;
    const into = view(gate.current);
    for (const from of [view(old.current), view(old.previous)])
      for (const key of from.keys) if (key !== 0n) insert(into, key);
    return gate;
  }
}
