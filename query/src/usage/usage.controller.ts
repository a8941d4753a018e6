import { Controller, Get, Inject } from '@nestjs/common';
import {
  UsageParamsSchema,
  type ApiSuccess,
  type UsageDto,
  type UsagePointDto,
  type UsageRefusalReason,
} from '@telemetryflow/contract';
import { ApiRoute, Requires, TenantId, ValidQuery } from '@telemetryflow/http-kit';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { parseInteger, parseTimeRange, type RawParams } from '../request-params.js';
import { invalidParameter } from '@telemetryflow/http-kit';

const HOUR_S = 3600;
const MAX_STEP_S = 31 * 24 * HOUR_S;
const MAX_BUCKETS = 10_000;

/** The tenant's usage per signal and kind, summed into buckets of `step` seconds (hours by default). */
@Controller('api/v1/usage')
@Requires('admin')
export class UsageController {
  constructor(@Inject(ClickHouseReader) private readonly reader: ClickHouseReader) {}

  @Get()
  @ApiRoute({
    summary:
      'Usage per signal, kind and reason (accepted, refused by reason, stored; queries run) in buckets of step seconds (a multiple of 3600, default 3600) from from to to',
    query: UsageParamsSchema,
    tags: ['usage'],
  })
  async get(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<UsageDto>> {
    const { fromNs, toNs } = parseTimeRange(q);
    const step = parseInteger(q, 'step', HOUR_S, MAX_STEP_S) ?? HOUR_S;
    if (step % HOUR_S !== 0) throw invalidParameter('step', 'must be a multiple of 3600 seconds');
    const fromS = Number(fromNs / 1_000_000_000n);
    const toS = Number(toNs / 1_000_000_000n);
    if ((toS - fromS) / step > MAX_BUCKETS) throw invalidParameter('step', `gives more than ${MAX_BUCKETS} buckets`);
    const rows = await this.reader.select<{
      t: number;
      Signal: string;
      Kind: string;
      Reason: string;
      requests: string;
      items: string;
      bytes: string;
    }>(
      `SELECT toUnixTimestamp(toStartOfInterval(Hour, toIntervalSecond({step:UInt32}))) AS t, Signal, Kind, Reason,
              sum(Requests) AS requests, sum(Items) AS items, sum(Bytes) AS bytes
         FROM usage_hourly
        WHERE TenantId = {tenant:String}
          AND Hour >= toStartOfHour(toDateTime({fromS:UInt32}, 'UTC')) AND Hour <= toDateTime({toS:UInt32}, 'UTC')
        GROUP BY t, Signal, Kind, Reason
        ORDER BY t, Signal, Kind, Reason`,
      { tenant, step, fromS, toS },
    );
    // Stored bytes are a gauge: per bucket the last hour's measurement (the hour's last one).
    const stored = await this.reader.select<{ t: number; Signal: string; rows: string; bytes: string }>(
      `SELECT toUnixTimestamp(toStartOfInterval(Hour, toIntervalSecond({step:UInt32}))) AS t, Signal,
              argMax(Rows, Hour) AS rows, argMax(Bytes, Hour) AS bytes
         FROM (SELECT Hour, Signal, argMax(Rows, MeasuredAt) AS Rows, argMax(Bytes, MeasuredAt) AS Bytes
                 FROM usage_stored_bytes
                WHERE TenantId = {tenant:String}
                  AND Hour >= toStartOfHour(toDateTime({fromS:UInt32}, 'UTC')) AND Hour <= toDateTime({toS:UInt32}, 'UTC')
                GROUP BY Hour, Signal)
        GROUP BY t, Signal
        ORDER BY t, Signal`,
      { tenant, step, fromS, toS },
    );
    const points: UsagePointDto[] = rows.map((r) => ({
      time: new Date(r.t * 1000).toISOString(),
      signal: r.Signal,
      kind: r.Kind,
      ...(r.Reason !== '' ? { reason: r.Reason as UsageRefusalReason } : {}),
      requests: Number(r.requests),
      items: Number(r.items),
      bytes: Number(r.bytes),
    }));
    for (const r of stored)
      points.push({
        time: new Date(r.t * 1000).toISOString(),
        signal: r.Signal,
        kind: 'stored',
        requests: 0,
        items: Number(r.rows),
        bytes: Number(r.bytes),
      });
    points.sort(
      (a, b) => a.time.localeCompare(b.time) || a.signal.localeCompare(b.signal) || a.kind.localeCompare(b.kind),
    );
    return { data: { step, points } };
  }
}
