// The daily volume quota (items per signal per UTC day). Today's count comes from the usage
// table, which every process feeds (read at most every `refreshMs` per tenant and signal),
// plus what this process accepted since that read. Approximate by design: items another
// replica accepted within the last refresh and flush intervals are not seen yet, so a
// tenant may go past its quota by about that much.
import type { Signal } from '@telemetryflow/otlp';
import { ExportError } from './errors.js';

/** Items of the tenant's signal accepted since `dayStartMs` (UTC midnight), as stored. */
export type DailyItemsReader = (tenantId: string, signal: Signal, dayStartMs: number) => Promise<number>;

export interface DailyVolumeLimiterOptions {
  refreshMs?: number;
  now?: () => number;
  maxEntries?: number;
}

interface Count {
  day: number;
  stored: number;
  local: number;
  readAt: number;
  reading?: Promise<void>;
}

const DAY_MS = 86_400_000;

export class DailyVolumeLimiter {
  private readonly counts = new Map<string, Count>();
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(
    private readonly read: DailyItemsReader,
    opts: DailyVolumeLimiterOptions = {},
  ) {
    this.refreshMs = opts.refreshMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  /** Throws an over-quota ExportError when the tenant has used its day's items of `signal`. */
  async check(tenantId: string, signal: Signal, dailyItems: number | undefined): Promise<void> {
    if (!isLimit(dailyItems)) return;
    const count = await this.current(tenantId, signal);
    if (count.stored + count.local < dailyItems) return;
    const seconds = Math.max(1, Math.ceil((count.day + DAY_MS - this.now()) / 1000));
    throw new ExportError(
      'over-quota',
      `this tenant's daily ${signal} quota (${dailyItems} items per UTC day) is used up; retry after midnight UTC`,
      seconds,
    );
  }

  charge(tenantId: string, signal: Signal, dailyItems: number | undefined, items: number): void {
    if (!isLimit(dailyItems) || items <= 0) return;
    const count = this.counts.get(key(tenantId, signal));
    if (count && count.day === dayOf(this.now())) count.local += items;
  }

  private async current(tenantId: string, signal: Signal): Promise<Count> {
    const k = key(tenantId, signal);
    const now = this.now();
    const day = dayOf(now);
    let count = this.counts.get(k);
    if (!count || count.day !== day) {
      count = { day, stored: 0, local: 0, readAt: -Infinity };
      this.remember(k, count);
    }
    if (now - count.readAt >= this.refreshMs) {
      const c = count;
      c.reading ??= this.read(tenantId, signal, day)
        .then((stored) => {
          // What this process counted is in the table now, or will be within a flush.
          c.stored = stored;
          c.local = 0;
          c.readAt = this.now();
        })
        // Unreadable (ClickHouse down): go on with the last count rather than refuse telemetry.
        .catch(() => {
          c.readAt = this.now();
        })
        .finally(() => (c.reading = undefined));
      await c.reading;
    }
    return count;
  }

  private remember(k: string, count: Count): void {
    this.counts.delete(k);
    while (this.counts.size >= this.maxEntries) {
      const oldest = this.counts.keys().next();
      if (oldest.done) break;
      this.counts.delete(oldest.value);
    }
    this.counts.set(k, count);
  }
}

function key(tenantId: string, signal: Signal): string {
  return `${tenantId}\u0000${signal}`;
}

function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function isLimit(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
