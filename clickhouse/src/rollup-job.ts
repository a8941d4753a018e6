// The periodic job that rolls metric rollups off the insert path: closed hours from raw points
// (hourly-rollups.ts, 0022), then closed days from those hours (daily-rollups.ts, 0019).
import type { ClickHouseClient } from '@clickhouse/client';
import { rollClosedDays, type DailyRollupOptions } from './daily-rollups.js';
import { rollClosedHours, type HourlyRollupOptions } from './hourly-rollups.js';

export interface RollupJobOptions {
  hourly?: HourlyRollupOptions;
  daily?: DailyRollupOptions;
  /** Between passes; default one minute (an hour is rolled at most a minute after it closes). */
  intervalMs?: number;
  log?: (msg: string) => void;
}

export interface RollupPass {
  hours: number;
  days: number;
}

/**
 * Runs one pass now and then every `intervalMs` until closed: hours first, so a day whose
 * last hour was just rolled is rolled in the same pass. A failed pass is logged and retried
 * at the next tick.
 */
export class RollupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly options: RollupJobOptions = {},
  ) {}

  start(): this {
    this.tick();
    return this;
  }

  /** One pass now (also what the timer runs): table-hours and table-days rolled. */
  async runOnce(): Promise<RollupPass> {
    const hourly = await rollClosedHours(this.client, this.options.hourly);
    const daily = await rollClosedDays(this.client, this.options.daily);
    const total = (rolled: Record<string, number>) => Object.values(rolled).reduce((a, b) => a + b, 0);
    return { hours: total(hourly.rolled), days: total(daily.rolled) };
  }

  private tick(): void {
    if (this.closed) return;
    this.running = this.runOnce()
      .then((pass) => {
        if (pass.days > 0) this.options.log?.(`rollups: rolled ${pass.days} table-day(s) from closed hours`);
      })
      .catch((err: unknown) => this.options.log?.(`rollups: pass failed, retried next tick: ${String(err)}`))
      .finally(() => {
        this.running = undefined;
        if (!this.closed) this.timer = setTimeout(() => this.tick(), this.options.intervalMs ?? 60_000).unref();
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
