// Which OTLP requests the in-process pipeline stored lately, so that a client's retry is stored
// once: what JetStream's `Nats-Msg-Id` window does for the distributed mode (ADR 0017).
import { INSERT_TABLES, type InsertTable } from '@telemetryflow/clickhouse';
import { busMessageId, type ExportOutcome, type PayloadEncoding, type Signal } from '@telemetryflow/otlp';
import { StorageUnavailableError } from './insert-errors.js';

export interface LedgerConfig {
  /** How long a request is remembered after its last attempt (like TF_NATS_DUPLICATE_WINDOW_SECONDS). */
  windowMs: number;
  /** Requests remembered at most; beyond, the oldest is forgotten first. */
  maxRequests: number;
  /** How long a request waits for an identical one under way before it is told to retry. */
  waitMs: number;
}

export const DEFAULT_LEDGER_CONFIG: LedgerConfig = { windowMs: 600_000, maxRequests: 100_000, waitMs: 10_000 };

/** Longest partial_success message kept per request, so that every entry has a bounded size. */
export const KEPT_MESSAGE_CHARS = 256;

/**
 * A request's identity: the collector's `Nats-Msg-Id` of its payload after decompression
 * (tenant, signal, bytes), and its encoding. The receive time is not part of it.
 */
export function requestIdentity(request: {
  tenantId: string;
  signal: Signal;
  encoding: PayloadEncoding;
  payload: Uint8Array;
}): string {
  return `${request.encoding}:${busMessageId(request.signal, request.tenantId, request.payload)}`;
}

/** An attempt to store a request; exactly one of `stored` / `failed` must be called. */
export interface Attempt {
  /** Tables of this request whose rows an earlier attempt stored: not to be inserted again. */
  readonly landed: Set<InsertTable>;
  /** Every table landed: a retry within the window is answered with `outcome`. */
  stored(outcome: ExportOutcome): void;
  /** The attempt failed; the tables in `landed` (which it may have added to) are remembered. */
  failed(): void;
}

export type Admission = { done: ExportOutcome } | { attempt: Attempt };

interface Entry {
  /** Bit i: INSERT_TABLES[i] landed. */
  landed: number;
  /** Set once every table landed. */
  outcome: ExportOutcome | undefined;
  at: number;
}

/**
 * Remembers, per request identity, which tables' rows landed and, once all did, the outcome
 * the client was told. Bounded in time (`windowMs` after the last attempt) and in memory
 * (`maxRequests` entries of bounded size; measured ~330 bytes each, ADR 0017). One attempt per
 * identity at a time: an identical request that arrives meanwhile waits for its result.
 * In memory only: a restart forgets it.
 */
export class RequestLedger {
  /** In order of their last attempt: the oldest is the first to expire and to be evicted. */
  private readonly entries = new Map<string, Entry>();
  /** Identities with an attempt under way: at most the requests in flight, which admission bounds. */
  private readonly underWay = new Map<string, Promise<void>>();

  constructor(
    private readonly config: LedgerConfig = DEFAULT_LEDGER_CONFIG,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Requests remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The request's earlier outcome when all of it is stored, else an attempt to store (the
   * rest of) it. Waits while an identical request is under way; rejects with
   * StorageUnavailableError (the client retries) when that takes longer than `waitMs`.
   */
  async admit(identity: string): Promise<Admission> {
    const deadline = this.now() + this.config.waitMs;
    for (let pending = this.underWay.get(identity); pending; pending = this.underWay.get(identity)) {
      const left = deadline - this.now();
      if (left <= 0 || !(await settlesWithin(pending, left))) {
        throw new StorageUnavailableError('an identical request is still being stored; retry later');
      }
    }
    this.expire();
    const entry = this.entries.get(identity);
    if (entry?.outcome) return { done: entry.outcome };
    let release!: () => void;
    this.underWay.set(identity, new Promise<void>((resolve) => (release = resolve)));
    const landed = tablesOf(entry?.landed ?? 0);
    const settle = (outcome: ExportOutcome | undefined) => {
      this.underWay.delete(identity);
      this.remember(identity, landed, outcome);
      release();
    };
    return { attempt: { landed, stored: (outcome) => settle(kept(outcome)), failed: () => settle(undefined) } };
  }

  private remember(identity: string, landed: ReadonlySet<InsertTable>, outcome: ExportOutcome | undefined): void {
    this.entries.delete(identity);
    if (landed.size === 0 && !outcome) return;
    this.entries.set(identity, { landed: bitsOf(landed), outcome, at: this.now() });
    this.expire();
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.config.maxRequests) break;
      this.entries.delete(oldest);
    }
  }

  private expire(): void {
    const before = this.now() - this.config.windowMs;
    for (const [identity, entry] of this.entries) {
      if (entry.at > before) break;
      this.entries.delete(identity);
    }
  }
}

function kept(outcome: ExportOutcome): ExportOutcome {
  const { accepted, rejected, errorMessage } = outcome;
  if (errorMessage.length <= KEPT_MESSAGE_CHARS) return { accepted, rejected, errorMessage };
  // A slice of a string keeps the whole string alive in V8; a copy through bytes does not.
  const cut = Buffer.from(`${errorMessage.slice(0, KEPT_MESSAGE_CHARS - 3)}...`).toString();
  return { accepted, rejected, errorMessage: cut };
}

function bitsOf(tables: ReadonlySet<InsertTable>): number {
  let bits = 0;
  for (const t of tables) bits |= 1 << INSERT_TABLES.indexOf(t);
  return bits;
}

function tablesOf(bits: number): Set<InsertTable> {
  return new Set(INSERT_TABLES.filter((_, i) => (bits & (1 << i)) !== 0));
}

/** Whether `pending` settles within `ms`. */
async function settlesWithin(pending: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([pending.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
