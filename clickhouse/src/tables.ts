/**
 * The columns writers insert, with the types of the values they send, in the order the
 * ingest row builders emit them. Ids and nanosecond times go into EPHEMERAL input
 * columns (hex text, UInt64) from which ClickHouse computes the stored ones (ADR 0002).
 * LowCardinality columns are sent as String; ClickHouse converts on insert.
 */
export type InsertColumnType =
  | 'String'
  | 'UInt8'
  | 'UInt32'
  | 'Int32'
  | 'UInt64'
  | 'Int64'
  | 'Float64'
  | 'Bool'
  | 'Nullable(Float64)'
  | 'Nullable(Int64)'
  | 'Map(String, String)'
  | 'Array(String)'
  | 'Array(UInt32)'
  | 'Array(UInt64)'
  | 'Array(Float64)'
  | 'Array(Nullable(Int64))'
  | 'Array(Map(String, String))';

type Columns = readonly (readonly [string, InsertColumnType])[];

const MAP = 'Map(String, String)' as const;
const MAPS = 'Array(Map(String, String))' as const;

const ENVELOPE = [
  ['ResourceAttributes', MAP],
  ['ResourceAttributeTypes', MAP],
  ['ScopeName', 'String'],
  ['ScopeVersion', 'String'],
  ['ScopeAttributes', MAP],
  ['ScopeAttributeTypes', MAP],
  ['ResourceSchemaUrl', 'String'],
  ['ResourceDroppedAttributesCount', 'UInt32'],
  ['ScopeSchemaUrl', 'String'],
  ['ScopeDroppedAttributesCount', 'UInt32'],
] as const satisfies Columns;

const POINT_HEAD = [
  ['TenantId', 'String'],
  ['MetricName', 'String'],
  ['Fingerprint', 'UInt64'],
  ['StartTimeNs', 'UInt64'],
  ['TimeNs', 'UInt64'],
  ['Flags', 'UInt32'],
] as const satisfies Columns;

const EXEMPLARS = [
  ['ExemplarTimesNs', 'Array(UInt64)'],
  ['ExemplarValues', 'Array(Float64)'],
  ['ExemplarIntValues', 'Array(Nullable(Int64))'],
  ['ExemplarTraceIdsHex', 'Array(String)'],
  ['ExemplarSpanIdsHex', 'Array(String)'],
  ['ExemplarAttributes', MAPS],
  ['ExemplarAttributeTypes', MAPS],
] as const satisfies Columns;

export const INSERT_COLUMNS = {
  spans: [
    ['TenantId', 'String'],
    ['TraceIdHex', 'String'],
    ['SpanIdHex', 'String'],
    ['ParentSpanIdHex', 'String'],
    ['TraceState', 'String'],
    ['Flags', 'UInt32'],
    ['ServiceName', 'String'],
    ['Name', 'String'],
    ['Kind', 'String'],
    ['StartTimeNs', 'UInt64'],
    ['EndTimeNs', 'UInt64'],
    ['DurationNs', 'Int64'],
    ['StatusCode', 'String'],
    ['StatusMessage', 'String'],
    ...ENVELOPE,
    ['Attributes', MAP],
    ['AttributeTypes', MAP],
    ['DroppedAttributesCount', 'UInt32'],
    ['DroppedEventsCount', 'UInt32'],
    ['DroppedLinksCount', 'UInt32'],
    ['EventTimesNs', 'Array(UInt64)'],
    ['EventNames', 'Array(String)'],
    ['EventAttributes', MAPS],
    ['EventAttributeTypes', MAPS],
    ['LinkTraceIdsHex', 'Array(String)'],
    ['LinkSpanIdsHex', 'Array(String)'],
    ['LinkTraceStates', 'Array(String)'],
    ['LinkAttributes', MAPS],
    ['LinkAttributeTypes', MAPS],
    ['EventDroppedAttributesCounts', 'Array(UInt32)'],
    ['LinkFlags', 'Array(UInt32)'],
    ['LinkDroppedAttributesCounts', 'Array(UInt32)'],
  ],
  logs: [
    ['TenantId', 'String'],
    ['TimestampNs', 'UInt64'],
    ['ObservedTimestampNs', 'UInt64'],
    ['TraceIdHex', 'String'],
    ['SpanIdHex', 'String'],
    ['Flags', 'UInt32'],
    ['SeverityText', 'String'],
    ['SeverityNumber', 'UInt8'],
    ['ServiceName', 'String'],
    ['EventName', 'String'],
    ['Body', 'String'],
    ['BodyType', 'String'],
    ...ENVELOPE,
    ['Attributes', MAP],
    ['AttributeTypes', MAP],
    ['DroppedAttributesCount', 'UInt32'],
  ],
  metric_series: [
    ['TenantId', 'String'],
    ['MetricName', 'String'],
    ['Fingerprint', 'UInt64'],
    ['MetricType', 'String'],
    ['Unit', 'String'],
    ['Description', 'String'],
    ['Temporality', 'UInt8'],
    ['IsMonotonic', 'Bool'],
    ['ServiceName', 'String'],
    ...ENVELOPE,
    ['Attributes', MAP],
    ['AttributeTypes', MAP],
    ['MetadataAttributes', MAP],
    ['MetadataAttributeTypes', MAP],
    ['FirstSeenNs', 'UInt64'],
    ['LastSeenNs', 'UInt64'],
  ],
  metrics_gauge: [...POINT_HEAD, ['Value', 'Float64'], ['IntValue', 'Nullable(Int64)'], ...EXEMPLARS],
  metrics_sum: [
    ...POINT_HEAD,
    ['Value', 'Float64'],
    ['IntValue', 'Nullable(Int64)'],
    ['Temporality', 'UInt8'],
    ['IsMonotonic', 'Bool'],
    ...EXEMPLARS,
  ],
  metrics_histogram: [
    ...POINT_HEAD,
    ['Count', 'UInt64'],
    ['Sum', 'Nullable(Float64)'],
    ['Min', 'Nullable(Float64)'],
    ['Max', 'Nullable(Float64)'],
    ['BucketCounts', 'Array(UInt64)'],
    ['ExplicitBounds', 'Array(Float64)'],
    ['Temporality', 'UInt8'],
    ...EXEMPLARS,
  ],
  metrics_exp_histogram: [
    ...POINT_HEAD,
    ['Count', 'UInt64'],
    ['Sum', 'Nullable(Float64)'],
    ['Min', 'Nullable(Float64)'],
    ['Max', 'Nullable(Float64)'],
    ['Scale', 'Int32'],
    ['ZeroCount', 'UInt64'],
    ['ZeroThreshold', 'Float64'],
    ['PositiveOffset', 'Int32'],
    ['PositiveBucketCounts', 'Array(UInt64)'],
    ['NegativeOffset', 'Int32'],
    ['NegativeBucketCounts', 'Array(UInt64)'],
    ['Temporality', 'UInt8'],
    ...EXEMPLARS,
  ],
  metrics_summary: [
    ...POINT_HEAD,
    ['Count', 'UInt64'],
    ['Sum', 'Float64'],
    ['Quantiles', 'Array(Float64)'],
    ['QuantileValues', 'Array(Float64)'],
  ],
} as const satisfies Record<string, Columns>;

export type InsertTable = keyof typeof INSERT_COLUMNS;
export const INSERT_TABLES = Object.keys(INSERT_COLUMNS) as InsertTable[];

export function insertColumns(table: InsertTable): readonly string[] {
  return INSERT_COLUMNS[table].map(([name]) => name);
}

export function insertColumnTypes(table: InsertTable): readonly InsertColumnType[] {
  return INSERT_COLUMNS[table].map(([, type]) => type);
}

const TOKEN = /^[A-Za-z0-9:_-]{1,200}$/;

/**
 * The SETTINGS of one insert: synchronous, and with a deduplication token when the caller
 * may replay the same batch. Part of the statement, not the session, so they apply to this
 * insert only on a server and on the embedded engine alike.
 */
function insertSettings(deduplicationToken: string | undefined): string {
  // One batch may span many days of data (late or backfilled telemetry): many partitions
  // per insert are fine here, and refusing them would fail every request of the batch.
  // A replayed batch (same token) must be skipped by the rollup views too, not only by
  // the raw table; each view's target derives its own token from this one.
  // On a cluster the tables are Distributed: a foreground insert returns only once the
  // shards have the rows, so a client is still acknowledged only for stored data.
  const settings = [
    'async_insert = 0',
    'throw_on_max_partitions_per_insert_block = 0',
    'deduplicate_blocks_in_dependent_materialized_views = 1',
    'distributed_foreground_insert = 1',
  ];
  if (deduplicationToken !== undefined) {
    if (!TOKEN.test(deduplicationToken))
      throw new Error(`invalid deduplication token ${JSON.stringify(deduplicationToken)}`);
    settings.push(`insert_deduplication_token = '${deduplicationToken}'`);
  }
  return settings.join(', ');
}

/** `INSERT … FORMAT RowBinary` for a server connection, the rows sent as the request body. */
export function insertStatement(table: InsertTable, deduplicationToken?: string): string {
  return `INSERT INTO ${table} (${insertColumns(table).join(', ')}) SETTINGS ${insertSettings(deduplicationToken)} FORMAT RowBinary`;
}

/**
 * The same insert reading the rows from a RowBinary file, for the embedded engine (whose
 * `@clickhouse/client` connection passes request bodies as text and cannot carry binary).
 * The file's path is the bound parameter `path`.
 */
export function insertFromFileStatement(table: InsertTable, deduplicationToken?: string): string {
  const structure = INSERT_COLUMNS[table].map(([name, type]) => `${name} ${type}`).join(', ');
  return `INSERT INTO ${table} (${insertColumns(table).join(', ')}) SETTINGS ${insertSettings(deduplicationToken)} SELECT * FROM file({path:String}, 'RowBinary', '${structure}')`;
}
