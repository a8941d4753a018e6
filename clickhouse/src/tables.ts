/**
 * Insert column lists, in the order the ingest row builders emit values. The ids go
 * into the EPHEMERAL hex columns; ClickHouse turns them into bytes.
 */
export const INSERT_COLUMNS = {
  spans: [
    'TenantId', 'TraceIdHex', 'SpanIdHex', 'ParentSpanIdHex', 'TraceState', 'Flags', 'ServiceName', 'Name', 'Kind',
    'StartTimeNs', 'EndTimeNs', 'DurationNs', 'StatusCode', 'StatusMessage',
    'ResourceAttributes', 'ResourceAttributeTypes', 'ScopeName', 'ScopeVersion', 'ScopeAttributes', 'ScopeAttributeTypes',
    'Attributes', 'AttributeTypes', 'DroppedAttributesCount', 'DroppedEventsCount', 'DroppedLinksCount',
    'EventTimesNs', 'EventNames', 'EventAttributes', 'EventAttributeTypes',
    'LinkTraceIdsHex', 'LinkSpanIdsHex', 'LinkTraceStates', 'LinkAttributes', 'LinkAttributeTypes',
  ],
  logs: [
    'TenantId', 'TimestampNs', 'ObservedTimestampNs', 'TraceIdHex', 'SpanIdHex', 'Flags', 'SeverityText', 'SeverityNumber',
    'ServiceName', 'EventName', 'Body', 'BodyType', 'ResourceAttributes', 'ResourceAttributeTypes', 'ScopeName',
    'ScopeVersion', 'ScopeAttributes', 'ScopeAttributeTypes', 'Attributes', 'AttributeTypes', 'DroppedAttributesCount',
  ],
  metric_series: [
    'TenantId', 'MetricName', 'Fingerprint', 'MetricType', 'Unit', 'Description', 'Temporality', 'IsMonotonic',
    'ServiceName', 'ResourceAttributes', 'ResourceAttributeTypes', 'ScopeName', 'ScopeVersion', 'ScopeAttributes',
    'ScopeAttributeTypes', 'Attributes', 'AttributeTypes', 'FirstSeenNs', 'LastSeenNs',
  ],
  metrics_gauge: ['TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags', 'Value', 'IntValue'],
  metrics_sum: ['TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags', 'Value', 'IntValue', 'Temporality', 'IsMonotonic'],
  metrics_histogram: [
    'TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags', 'Count', 'Sum', 'Min', 'Max',
    'BucketCounts', 'ExplicitBounds', 'Temporality',
  ],
  metrics_exp_histogram: [
    'TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags', 'Count', 'Sum', 'Min', 'Max', 'Scale',
    'ZeroCount', 'ZeroThreshold', 'PositiveOffset', 'PositiveBucketCounts', 'NegativeOffset', 'NegativeBucketCounts',
    'Temporality',
  ],
  metrics_summary: ['TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags', 'Count', 'Sum', 'Quantiles', 'QuantileValues'],
} as const;

/** Exemplar columns, appended to the gauge, sum, histogram and exponential histogram inserts. */
export const EXEMPLAR_COLUMNS = [
  'ExemplarTimesNs', 'ExemplarValues', 'ExemplarIntValues', 'ExemplarTraceIdsHex', 'ExemplarSpanIdsHex',
  'ExemplarAttributes', 'ExemplarAttributeTypes',
] as const;

export type InsertTable = keyof typeof INSERT_COLUMNS;
export const INSERT_TABLES = Object.keys(INSERT_COLUMNS) as InsertTable[];

const TABLES_WITH_EXEMPLARS = new Set<InsertTable>(['metrics_gauge', 'metrics_sum', 'metrics_histogram', 'metrics_exp_histogram']);

export function insertColumns(table: InsertTable): readonly string[] {
  return TABLES_WITH_EXEMPLARS.has(table) ? [...INSERT_COLUMNS[table], ...EXEMPLAR_COLUMNS] : INSERT_COLUMNS[table];
}

const TOKEN = /^[A-Za-z0-9:_-]{1,200}$/;

/**
 * The INSERT statement for one batch of JSONCompactEachRow rows. Settings are part of
 * the statement (not session settings) so they apply to this insert only, on a server
 * and on the embedded engine alike: synchronous insert, and a deduplication token when
 * the caller can replay the same batch.
 */
export function insertStatement(table: InsertTable, deduplicationToken?: string): string {
  const settings = ['async_insert = 0'];
  if (deduplicationToken !== undefined) {
    if (!TOKEN.test(deduplicationToken)) throw new Error(`invalid deduplication token ${JSON.stringify(deduplicationToken)}`);
    settings.push(`insert_deduplication_token = '${deduplicationToken}'`);
  }
  return `INSERT INTO ${table} (${insertColumns(table).join(', ')}) SETTINGS ${settings.join(', ')} FORMAT JSONCompactEachRow`;
}
