import { insertJsonRows, type ClickHouseClient } from '@telemetryflow/clickhouse';

/** One check result as the probe publishes it and `monitor_results` (ClickHouse migration 0015) stores it. */
export interface MonitorCheckRecord {
  tenantId: string;
  monitorId: string;
  /** RFC 3339: when the check started. */
  time: string;
  location: string;
  kind: string;
  up: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: string;
  /** RFC 3339. */
  certificateExpiresAt?: string;
}

export const MONITOR_RESULTS_TABLE = 'monitor_results';
export const MONITOR_UPTIME_HOURLY_TABLE = 'monitor_uptime_hourly';
export const MONITOR_UPTIME_DAILY_TABLE = 'monitor_uptime_daily';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A record that came over the bus, checked field by field (the bus is not trusted to carry only ours). */
export function parseCheckRecord(value: unknown): MonitorCheckRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const str = (k: string, max: number) => typeof r[k] === 'string' && (r[k] as string).length <= max;
  const optional = (k: string, ok: boolean) => r[k] === undefined || r[k] === null || ok;
  if (
    !str('tenantId', 200) ||
    !(typeof r.monitorId === 'string' && UUID.test(r.monitorId)) ||
    !(str('time', 40) && Number.isFinite(Date.parse(r.time as string))) ||
    !str('location', 100) ||
    !str('kind', 20) ||
    typeof r.up !== 'boolean' ||
    !(typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs) && r.latencyMs >= 0) ||
    !optional('statusCode', Number.isInteger(r.statusCode) && (r.statusCode as number) >= 0) ||
    !optional('error', str('error', 2000)) ||
    !optional('certificateExpiresAt', str('certificateExpiresAt', 40))
  )
    return null;
  return r as unknown as MonitorCheckRecord;
}

/** Inserts check results into `monitor_results`; the hourly and daily rollups follow by materialized views. */
export class MonitorResultsWriter {
  constructor(private readonly ch: ClickHouseClient) {}

  /** Records from the bus: each one checked, the malformed dropped (and counted), the rest written. */
  async writeUntrusted(values: readonly unknown[]): Promise<{ written: number; dropped: number }> {
    const records = values.map(parseCheckRecord).filter((r): r is MonitorCheckRecord => r !== null);
    await this.write(records);
    return { written: records.length, dropped: values.length - records.length };
  }

  async write(records: readonly MonitorCheckRecord[]): Promise<void> {
    if (records.length === 0) return;
    await insertJsonRows(
      this.ch,
      MONITOR_RESULTS_TABLE,
      records.map((r) => ({
        TenantId: r.tenantId,
        MonitorId: r.monitorId,
        Time: r.time,
        Location: r.location,
        Kind: r.kind,
        Up: r.up,
        LatencyMs: r.latencyMs,
        StatusCode: r.statusCode ?? null,
        Error: r.error ?? '',
        CertificateExpiresAt: r.certificateExpiresAt ?? null,
      })),
      "async_insert = 0, date_time_input_format = 'best_effort'",
    );
  }
}

export interface BufferedWriterOptions {
  /** Rows per insert at most (default 1,000). */
  maxRows?: number;
  /** How long a row waits for others (default 1 s). */
  maxDelayMs?: number;
  /** Rows held at most; beyond it `add` waits for a flush (default 20,000). */
  maxBuffered?: number;
  log?: (msg: string) => void;
}

/**
 * The in-process hand-off of the all-in-one: results are gathered for up to a second and
 * inserted together, so a thousand monitors do not make a thousand small parts a minute.
 * A failed insert is retried with the next flush (the rows stay buffered, up to the bound).
 */
export class BufferedResultsWriter {
  private rows: MonitorCheckRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly writer: Pick<MonitorResultsWriter, 'write'>,
    private readonly opts: BufferedWriterOptions = {},
  ) {
    this.maxRows = opts.maxRows ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.maxBuffered = opts.maxBuffered ?? 20_000;
  }

  async add(records: readonly MonitorCheckRecord[]): Promise<void> {
    while (this.rows.length + records.length > this.maxBuffered) {
      const before = this.rows.length;
      await this.flush();
      if (this.rows.length >= before) throw new Error('monitor results: the writer is not keeping up; result dropped');
    }
    this.rows.push(...records);
    if (this.rows.length >= this.maxRows) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  /** Inserts what is buffered (one insert at a time). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= (async () => {
      try {
        while (this.rows.length > 0) {
          const batch = this.rows.slice(0, this.maxRows);
          await this.writer.write(batch);
          this.rows = this.rows.slice(batch.length);
        }
      } catch (err) {
        this.opts.log?.(`monitor results: insert failed, retried: ${err instanceof Error ? err.message : String(err)}`);
        if (this.rows.length > 0) this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
