import type { LiveRows } from '@telemetryflow/rows';
import type { LiveFilter, LogDto, SpanDto } from '@telemetryflow/contract';
import type { Signal } from '@telemetryflow/otlp';
import type { BoundedDelivery } from './bounded-delivery.js';
import { logMatches, spanMatches } from './live-filter.js';
import { liveLogRow, liveSpanRow, logInsertRowToDto, spanInsertRowToDto } from './live-rows.js';

export type LiveSignal = 'logs' | 'spans';

export type LiveSubscription =
  | { signal: 'logs'; filter: LiveFilter; delivery: BoundedDelivery<LogDto> }
  | { signal: 'spans'; filter: LiveFilter; delivery: BoundedDelivery<SpanDto> };

/** Span and log rows of one stored request, as the row builders made them. */
export type LiveRowTables = LiveRows;

const LIVE_SIGNAL: Partial<Record<Signal, LiveSignal>> = { logs: 'logs', traces: 'spans' };

/**
 * Where stored spans and logs meet live subscriptions. Subscriptions are kept per tenant
 * (the tenant's room): rows of a tenant are only ever matched against that tenant's
 * subscriptions. Implements `LiveFeed` of @telemetryflow/rows (wants / publish).
 */
export class LiveHub {
  private readonly rooms = new Map<string, Set<LiveSubscription>>();

  constructor(private readonly log: (msg: string) => void = () => {}) {}

  wants(tenantId: string, signal: Signal): boolean {
    const live = LIVE_SIGNAL[signal];
    if (!live) return false;
    for (const sub of this.rooms.get(tenantId) ?? []) if (sub.signal === live) return true;
    return false;
  }

  publish(tenantId: string, rows: LiveRowTables): void {
    const room = this.rooms.get(tenantId);
    if (!room) return;
    try {
      const subs = [...room];
      if (rows.logs?.length) {
        const logSubs = subs.filter((s) => s.signal === 'logs');
        if (logSubs.length > 0) fanOut(rows.logs.map(liveLogRow), logSubs, logMatches, (r) => logInsertRowToDto(r.row));
      }
      if (rows.spans?.length) {
        const spanSubs = subs.filter((s) => s.signal === 'spans');
        if (spanSubs.length > 0)
          fanOut(rows.spans.map(liveSpanRow), spanSubs, spanMatches, (r) => spanInsertRowToDto(r.row));
      }
    } catch (err) {
      // The writer's path must not fail because of the live tail.
      this.log(`live tail: dropped rows of tenant ${tenantId}: ${(err as Error).message}`);
    }
  }

  add(tenantId: string, sub: LiveSubscription): void {
    let room = this.rooms.get(tenantId);
    if (!room) this.rooms.set(tenantId, (room = new Set()));
    room.add(sub);
  }

  remove(tenantId: string, sub: LiveSubscription): void {
    sub.delivery.close();
    const room = this.rooms.get(tenantId);
    room?.delete(sub);
    if (room?.size === 0) this.rooms.delete(tenantId);
  }

  /** Subscriptions and the items waiting in their buffers, over every tenant. */
  stats(): { subscriptions: number; bufferedItems: number } {
    let subscriptions = 0;
    let bufferedItems = 0;
    for (const room of this.rooms.values()) {
      for (const sub of room) {
        subscriptions++;
        bufferedItems += sub.delivery.buffered;
      }
    }
    return { subscriptions, bufferedItems };
  }
}

/**
 * Matches rows against subscriptions; each matching row's DTO is built once, shared by
 * every subscription it matches, and only while the subscription has room for it.
 */
function fanOut<R, D>(
  rows: R[],
  subs: { filter: LiveFilter; delivery: BoundedDelivery<D> }[],
  matches: (f: LiveFilter, r: R) => boolean,
  toDto: (r: R) => D,
): void {
  const dtos = new Map<R, D>();
  for (const sub of subs) {
    const room = sub.delivery.room;
    const out: D[] = [];
    let skipped = 0;
    for (const r of rows) {
      if (!matches(sub.filter, r)) continue;
      if (out.length >= room) {
        skipped++;
        continue;
      }
      let dto = dtos.get(r);
      if (dto === undefined) dtos.set(r, (dto = toDto(r)));
      out.push(dto);
    }
    sub.delivery.push(out, skipped);
  }
}
