// The metrics tables' rows, written once: each table's groups of columns, in INSERT_COLUMNS
// order (checked when the module loads). metrics.ts writes every metrics row through them.
import { checkColumnOrder, type ColumnWriter } from './columns.js';
import { ENVELOPE_COLUMNS } from './fields.js';

const HEAD = ['head', ['TenantId', 'MetricName', 'Fingerprint', 'StartTimeNs', 'TimeNs', 'Flags']] as const;
const VALUE = ['value', ['Value', 'IntValue']] as const;
const COUNT = ['count', ['Count']] as const;
const SUM_MIN_MAX = ['sumMinMax', ['Sum', 'Min', 'Max']] as const;
const TEMPORALITY = ['temporality', ['Temporality']] as const;
const EXEMPLARS = [
  'exemplars',
  [
    'ExemplarTimesNs',
    'ExemplarValues',
    'ExemplarIntValues',
    'ExemplarTraceIdsHex',
    'ExemplarSpanIdsHex',
    'ExemplarAttributes',
    'ExemplarAttributeTypes',
  ],
] as const;

/** Groups of consecutive columns of each metrics table, in INSERT_COLUMNS order. */
export const METRIC_COLUMN_GROUPS = {
  metric_series: [
    [
      'series',
      [
        'TenantId',
        'MetricName',
        'Fingerprint',
        'MetricType',
        'Unit',
        'Description',
        'Temporality',
        'IsMonotonic',
        'ServiceName',
      ],
    ],
    ['envelope', ENVELOPE_COLUMNS],
    ['attributes', ['Attributes', 'AttributeTypes']],
    ['metadata', ['MetadataAttributes', 'MetadataAttributeTypes']],
    ['seen', ['FirstSeenNs', 'LastSeenNs']],
  ],
  metrics_gauge: [HEAD, VALUE, EXEMPLARS],
  metrics_sum: [HEAD, VALUE, TEMPORALITY, ['isMonotonic', ['IsMonotonic']], EXEMPLARS],
  metrics_histogram: [
    HEAD,
    COUNT,
    SUM_MIN_MAX,
    ['buckets', ['BucketCounts', 'ExplicitBounds']],
    TEMPORALITY,
    EXEMPLARS,
  ],
  metrics_exp_histogram: [
    HEAD,
    COUNT,
    SUM_MIN_MAX,
    ['scale', ['Scale']],
    ['zero', ['ZeroCount', 'ZeroThreshold']],
    ['positive', ['PositiveOffset', 'PositiveBucketCounts']],
    ['negative', ['NegativeOffset', 'NegativeBucketCounts']],
    TEMPORALITY,
    EXEMPLARS,
  ],
  metrics_summary: [HEAD, COUNT, ['sum', ['Sum']], ['quantiles', ['Quantiles', 'QuantileValues']]],
} as const;

type Groups = typeof METRIC_COLUMN_GROUPS;
export type MetricTable = keyof Groups;
/** How the metrics encoder writes each group of a metrics table's columns into W from its source S. */
export type MetricColumnWriter<T extends MetricTable, W, S> = ColumnWriter<Groups[T][number][0], W, S>;

export function writeSeriesColumns<W, S>(w: W, c: MetricColumnWriter<'metric_series', W, S>, s: S): void {
  c.series(w, s);
  c.envelope(w, s);
  c.attributes(w, s);
  c.metadata(w, s);
  c.seen(w, s);
}

export function writeGaugeColumns<W, S>(w: W, c: MetricColumnWriter<'metrics_gauge', W, S>, s: S): void {
  c.head(w, s);
  c.value(w, s);
  c.exemplars(w, s);
}

export function writeSumColumns<W, S>(w: W, c: MetricColumnWriter<'metrics_sum', W, S>, s: S): void {
  c.head(w, s);
  c.value(w, s);
  c.temporality(w, s);
  c.isMonotonic(w, s);
  c.exemplars(w, s);
}

export function writeHistogramColumns<W, S>(w: W, c: MetricColumnWriter<'metrics_histogram', W, S>, s: S): void {
  c.head(w, s);
  c.count(w, s);
  c.sumMinMax(w, s);
  c.buckets(w, s);
  c.temporality(w, s);
  c.exemplars(w, s);
}

export function writeExpHistogramColumns<W, S>(w: W, c: MetricColumnWriter<'metrics_exp_histogram', W, S>, s: S): void {
  c.head(w, s);
  c.count(w, s);
  c.sumMinMax(w, s);
  c.scale(w, s);
  c.zero(w, s);
  c.positive(w, s);
  c.negative(w, s);
  c.temporality(w, s);
  c.exemplars(w, s);
}

export function writeSummaryColumns<W, S>(w: W, c: MetricColumnWriter<'metrics_summary', W, S>, s: S): void {
  c.head(w, s);
  c.count(w, s);
  c.sum(w, s);
  c.quantiles(w, s);
}

checkColumnOrder('metric_series', METRIC_COLUMN_GROUPS.metric_series, writeSeriesColumns);
checkColumnOrder('metrics_gauge', METRIC_COLUMN_GROUPS.metrics_gauge, writeGaugeColumns);
checkColumnOrder('metrics_sum', METRIC_COLUMN_GROUPS.metrics_sum, writeSumColumns);
checkColumnOrder('metrics_histogram', METRIC_COLUMN_GROUPS.metrics_histogram, writeHistogramColumns);
checkColumnOrder('metrics_exp_histogram', METRIC_COLUMN_GROUPS.metrics_exp_histogram, writeExpHistogramColumns);
checkColumnOrder('metrics_summary', METRIC_COLUMN_GROUPS.metrics_summary, writeSummaryColumns);
