// The series catalog (metric_series) written only when it changes. Every metrics request
// used to write one catalog row per series it carried, to move the series' LastSeen: for a
// series reported every scrape that is one catalog row per point, 10–15 ms of ClickHouse
// CPU per 1,000 points (ADR 0024). A writer now keeps, per series it has written, the hash of
// the row's descriptive columns and the coarse buckets (SERIES_SEEN_BUCKET_MS) of the
// FirstSeen and LastSeen it wrote, and drops a row that changes none of them. The catalog's
// LastSeen is then at most one bucket behind the series' last point and its FirstSeen at
// most one bucket after the first, so catalog readers widen their range by a bucket
// (SERIES_SEEN_BUCKET_MS in @telemetryflow/clickhouse). A writer that restarts, forgets, or
// runs beside others writes the row again: metric_series is an AggregatingMergeTree of
// min(FirstSeen) and max(LastSeen), so a repeated row changes nothing.
import { columnTypes, SERIES_SEEN_BUCKET_MS } from '@telemetryflow/clickhouse';

/** Series a writer remembers at most (13.5 MiB of heap measured); when full it starts over. */
export const SERIES_CATALOG_GATE_LIMIT = 100_000;

interface WrittenSeries {
  /** A 53-bit hash of the row without its FirstSeenNs and LastSeenNs (descriptionHash). */
  described: number;
  firstBucket: number;
  lastBucket: number;
}

/** The two trailing UInt64 columns of a metric_series row: FirstSeenNs, LastSeenNs. */
const SEEN_BYTES = 16;

/** Remembers the catalog rows one writer (a decoder thread) has written, bounded. */
export class SeriesCatalogGate {
  private written = new Map<string, WrittenSeries>();
  private epoch: number | undefined;

  constructor(
    private readonly limit = SERIES_CATALOG_GATE_LIMIT,
    private readonly bucketMs = SERIES_SEEN_BUCKET_MS,
  ) {}

  /** Series remembered now. */
  get size(): number {
    return this.written.size;
  }

  /**
   * Forgets every series when `epoch` differs from the last one seen: the pipeline moves its
   * epoch when an insert fails, as the rows this gate let through may not have landed.
   */
  useEpoch(epoch: number): void {
    if (this.epoch !== epoch) this.written.clear();
    this.epoch = epoch;
  }

  /**
   * The RowBinary rows of metric_series (as the metrics encoders write them) without those
   * that would change nothing this writer has written; the kept rows are remembered.
   */
  filter(data: Uint8Array, rows: number): { data: Uint8Array; rows: number } {
    const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const kept: Uint8Array[] = [];
    let keptRows = 0;
    let keptBytes = 0;
    let pos = 0;
    for (let i = 0; i < rows; i++) {
      const start = pos;
      pos = skipString(view, pos); // TenantId
      pos = skipString(view, pos); // MetricName
      pos += 8; // Fingerprint
      const keyEnd = pos;
      pos = skipSeriesDescription(view, pos);
      const end = pos + SEEN_BYTES;
      if (end > view.length) throw new Error('metric_series rows end early');
      if (this.changes(view, start, keyEnd, pos)) {
        kept.push(view.subarray(start, end));
        keptRows++;
        keptBytes += end - start;
      }
      pos = end;
    }
    if (keptRows === rows) return { data, rows };
    return { data: Buffer.concat(kept, keptBytes), rows: keptRows };
  }

  /** The bucket of a UInt64 nanosecond time (as a double: within a microsecond of a bucket's edge either bucket will do). */
  private bucketOf(view: Buffer, at: number): number {
    const ms = (view.readUInt32LE(at + 4) * 2 ** 32 + view.readUInt32LE(at)) / 1e6;
    return Math.floor(ms / this.bucketMs);
  }

  /** Whether the row at `start` adds to what was written of its series (and if so, remembers it). */
  private changes(view: Buffer, start: number, keyEnd: number, seenAt: number): boolean {
    const key = view.toString('latin1', start, keyEnd);
    const described = descriptionHash(view, start, seenAt);
    const firstBucket = this.bucketOf(view, seenAt);
    const lastBucket = this.bucketOf(view, seenAt + 8);
    const known = this.written.get(key);
    if (known && known.described === described) {
      if (firstBucket >= known.firstBucket && lastBucket <= known.lastBucket) return false;
      if (firstBucket < known.firstBucket) known.firstBucket = firstBucket;
      if (lastBucket > known.lastBucket) known.lastBucket = lastBucket;
      return true;
    }
    if (known) {
      known.described = described;
      known.firstBucket = firstBucket;
      known.lastBucket = lastBucket;
      return true;
    }
    if (this.written.size >= this.limit) this.written.clear();
    this.written.set(key, { described, firstBucket, lastBucket });
    return true;
  }
}

const MAP = 'Map(String, String)';
/** metric_series' column types as the row reader below walks them. */
const WALKED = ['String', 'String', 'UInt64', 'String', 'String', 'String', 'UInt8', 'Bool', 'String']
  .concat([MAP, MAP, 'String', 'String', MAP, MAP, 'String', 'UInt32', 'String', 'UInt32'])
  .concat([MAP, MAP, MAP, MAP, 'UInt64', 'UInt64']);
if (columnTypes('metric_series').join() !== WALKED.join()) {
  throw new Error(`series-catalog-gate.ts walks metric_series as ${WALKED.join()}`);
}

/**
 * Two 32-bit hashes of the bytes in one pass (FNV-1a and a multiply-xorshift), as one 53-bit
 * number: a JavaScript loop costs less than a native call per row. A collision only delays a
 * changed description's row until the series' next bucket.
 */
function descriptionHash(view: Buffer, start: number, end: number): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = start; i < end; i++) {
    const byte = view[i]!;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x85ebca6b);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 0x200000 + (b & 0x1fffff);
}

/** MetricType … MetadataAttributeTypes of metric_series (clickhouse/src/tables.ts). */
function skipSeriesDescription(view: Buffer, pos: number): number {
  pos = skipString(view, pos); // MetricType
  pos = skipString(view, pos); // Unit
  pos = skipString(view, pos); // Description
  pos += 2; // Temporality, IsMonotonic
  pos = skipString(view, pos); // ServiceName
  pos = skipMap(view, skipMap(view, pos)); // ResourceAttributes, ResourceAttributeTypes
  pos = skipString(view, skipString(view, pos)); // ScopeName, ScopeVersion
  pos = skipMap(view, skipMap(view, pos)); // ScopeAttributes, ScopeAttributeTypes
  pos = skipString(view, pos) + 4; // ResourceSchemaUrl, ResourceDroppedAttributesCount
  pos = skipString(view, pos) + 4; // ScopeSchemaUrl, ScopeDroppedAttributesCount
  pos = skipMap(view, skipMap(view, pos)); // Attributes, AttributeTypes
  return skipMap(view, skipMap(view, pos)); // MetadataAttributes, MetadataAttributeTypes
}

function skipMap(view: Buffer, pos: number): number {
  const [entries, at] = readVarint(view, pos);
  pos = at;
  for (let i = 0; i < entries; i++) pos = skipString(view, skipString(view, pos));
  return pos;
}

function skipString(view: Buffer, pos: number): number {
  const [length, at] = readVarint(view, pos);
  return at + length;
}

function readVarint(view: Buffer, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= view.length) throw new Error('metric_series rows end early');
    const byte = view[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}
