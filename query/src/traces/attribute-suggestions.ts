import { Inject, Injectable } from '@nestjs/common';
import { RAW_TABLES } from '@telemetryflow/clickhouse';
import type { AttributeKeyDto } from '@telemetryflow/contract';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { toNumber } from '../clickhouse-rows.js';
import { invalidParameter } from '@telemetryflow/http-kit';
import { parseInteger, parseString, parseTimeRange, type RawParams } from '../request-params.js';

const RANGE = `TenantId = {tenant:String}
  AND StartTime >= fromUnixTimestamp64Nano({fromNs:Int64}) AND StartTime <= fromUnixTimestamp64Nano({toNs:Int64})`;
/**
 * Spans one suggestion reads at most. A key with millions of distinct values costs the
 * same as one with ten: the scan stops here, and only the top values are kept.
 */
export const SUGGESTION_SCAN_SPANS = 100_000;

/** `attr.<key>` or `resource.<key>` → the map column and the key in it. */
export function attributeColumn(key: string): { map: 'Attributes' | 'ResourceAttributes'; name: string } {
  const m = /^(attr|resource)\.(.+)$/.exec(key);
  if (!m || m[2]!.length > 256) throw invalidParameter('key', 'must be attr.<key> or resource.<key>');
  return { map: m[1] === 'attr' ? 'Attributes' : 'ResourceAttributes', name: m[2]! };
}

export interface Suggestions<T> {
  data: T[];
  /** Spans read; when it equals the bound, counts come from a sample of the range. */
  meta: { scannedSpans: number; sampled: boolean };
}

/**
 * Key and value suggestions for trace search by a bounded scan: at most 100k spans of the
 * range (those that have the key, for values), in storage order, aggregated in ClickHouse.
 * Counts are of the scanned spans. Measured in `pnpm bench:query`.
 */
@Injectable()
export class AttributeSuggestions {
  constructor(@Inject(ClickHouseReader) private readonly ch: ClickHouseReader) {}

  /** Span (`attr.`) and resource (`resource.`) keys, most used first. */
  async keys(tenant: string, q: RawParams): Promise<Suggestions<AttributeKeyDto>> {
    const range = parseTimeRange(q);
    const limit = parseInteger(q, 'limit', 1, 10_000) ?? 1000;
    const rows = await this.ch.select<{ key: string; count: string; scanned: string }>(
      `SELECT key, count() AS count, any(scanned) AS scanned FROM (
         SELECT arrayConcat(arrayMap(k -> concat('attr.', k), mapKeys(Attributes)), arrayMap(k -> concat('resource.', k), mapKeys(ResourceAttributes))) AS keys,
                count() OVER () AS scanned
         FROM (SELECT Attributes, ResourceAttributes FROM ${RAW_TABLES.spans} WHERE ${RANGE} LIMIT {scan:UInt32})
       ) ARRAY JOIN keys AS key
       GROUP BY key ORDER BY count DESC, key LIMIT {limit:UInt32}`,
      { tenant, fromNs: range.fromNs, toNs: range.toNs, scan: SUGGESTION_SCAN_SPANS, limit },
    );
    return { data: rows.map((r) => ({ key: r.key, count: toNumber(r.count) })), meta: scanMeta(rows[0]?.scanned) };
  }

  /** The key's most frequent values among the scanned spans, optionally starting with `prefix`. */
  async values(tenant: string, rawKey: string, q: RawParams): Promise<Suggestions<string>> {
    const { map, name } = attributeColumn(rawKey);
    const range = parseTimeRange(q);
    const limit = parseInteger(q, 'limit', 1, 1000) ?? 20;
    const prefix = parseString(q, 'prefix', 256) ?? '';
    const rows = await this.ch.select<{ value: string; scanned: string }>(
      `SELECT value, any(scanned) AS scanned FROM (
         SELECT ${map}[{name:String}] AS value, count() OVER () AS scanned FROM (
           SELECT ${map} FROM ${RAW_TABLES.spans}
           WHERE ${RANGE} AND mapContains(${map}, {name:String}) AND startsWith(${map}[{name:String}], {prefix:String})
           LIMIT {scan:UInt32}))
       GROUP BY value ORDER BY count() DESC, value LIMIT {limit:UInt32}`,
      { tenant, fromNs: range.fromNs, toNs: range.toNs, name, prefix, scan: SUGGESTION_SCAN_SPANS, limit },
    );
    return { data: rows.map((r) => r.value), meta: scanMeta(rows[0]?.scanned) };
  }
}

function scanMeta(scanned: string | undefined): Suggestions<never>['meta'] {
  const n = scanned === undefined ? 0 : toNumber(scanned);
  return { scannedSpans: n, sampled: n >= SUGGESTION_SCAN_SPANS };
}
