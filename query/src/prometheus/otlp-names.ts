// The Prometheus series a stored metric series stands for, as the Prometheus HTTP API shows
// them. Pure.
//
// Remote-written series (scope PROMETHEUS_SCOPE, ADR 0018) keep the name and labels they were
// written with. Every other series is OTLP and is named as the OpenTelemetry specification
// "Prometheus and OpenMetrics Compatibility" (section "OTLP Metric points to Prometheus") asks
// and as Prometheus' own OTLP receiver does with suffixes on (prometheus/otlptranslator's
// MetricNamer, UnitNamer and LabelNamer defaults; prometheusremotewrite's createAttributes and
// addResourceTargetInfo):
// - name: characters outside [a-zA-Z0-9:] split it into tokens joined by `_` (so runs of them
//   and leading/trailing ones vanish), then the unit suffix (UCUM → Prometheus words, `{…}`
//   annotations dropped, `a/b` → `a_per_b`) unless the name has that token already, `_total`
//   for monotonic sums, `_ratio` for gauges of unit `1`, and `_` before a leading digit;
// - labels: point attributes with invalid characters (and runs of them) turned into one `_`,
//   `key_` before a leading digit, keys that sanitize into one label joined with `;` in the
//   order of their original keys; then `otel_scope_name` / `otel_scope_version` (the spec's
//   MUST; Prometheus' receiver has them behind promote_scope_metadata), then `job` and
//   `instance` from the resource. Other resource attributes are no labels: they make the
//   resource's `target_info` series. Labels whose value is empty are left out, as Prometheus
//   treats an empty label as an absent one.
// - explicit-bucket histograms: `_bucket{le}` (cumulative, `le` printed as Go's
//   strconv.FormatFloat(b, 'f', -1, 64), then `+Inf` = count), `_sum`, `_count`; summaries:
//   `{quantile}`, `_sum`, `_count`.
//
// Not representable, so they have no Prometheus series here:
// - exponential histograms map to Prometheus native histograms, which this engine lacks;
// - sums and histograms whose temporality is not cumulative: the spec says a delta monotonic
//   sum (or a delta histogram) SHOULD be accumulated into a cumulative one and everything else
//   of delta temporality MUST be dropped; accumulating would need every point since the
//   series' start at query time, so, like Prometheus 2.x's OTLP receiver, they are dropped.
// The spec's `otel_scope_info` series (scope attributes) and `_created` series are not made.
import { formatFloat } from '@telemetryflow/promql';
import { PROMETHEUS_SCOPE } from '@telemetryflow/otlp';

/** The catalog's description of a stored metric (one `metric_series` row without its labels). */
export interface StoredMetric {
  metricName: string;
  /** `gauge` | `sum` | `histogram` | `exponential_histogram` | `summary` (rows/' MetricType). */
  metricType: string;
  unit: string;
  description: string;
  /** OTLP AggregationTemporality: 1 delta, 2 cumulative (0 for gauges and summaries). */
  temporality: number;
  isMonotonic: boolean;
  scopeName: string;
}

/** One `metric_series` row as the Prometheus API needs it. */
export interface CatalogSeries extends StoredMetric {
  scopeVersion: string;
  resourceAttributes: Record<string, string>;
  /** Point attributes. */
  attributes: Record<string, string>;
}

/**
 * Which stored value of a point gives a Prometheus series its samples:
 * - `value`: Value of a gauge or sum point;
 * - `count` / `sum`: Count / Sum of a histogram or summary point (no sample where Sum is NULL);
 * - `bucket`: the sum of BucketCounts[0..bucket], for points whose ExplicitBounds[bucket] is
 *   `bound` (other layouts have no sample in this series); bucket -1 (bound +Inf) is Count;
 * - `quantile`: QuantileValues[quantile], for points whose Quantiles[quantile] is `q`.
 * Points flagged NoRecordedValue (Flags & 1) are staleness markers in Prometheus' translator.
 */
export type PromSampleSource =
  'value' | 'count' | 'sum' | { bucket: number; bound: number } | { quantile: number; q: number };

/** One Prometheus series a stored series stands for, and which stored value gives its samples. */
export interface PromSeriesView {
  /** All labels, `__name__` included. */
  labels: Record<string, string>;
  value: PromSampleSource;
}

/** A metric family as Prometheus' `/api/v1/metadata` lists it. */
export interface PromMetadata {
  family: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  help: string;
  unit: string;
}

const CUMULATIVE = 2;

/** UCUM units → Prometheus base-unit words (otlptranslator's unitMap). */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** The denominator of `a/b` units, singular (otlptranslator's perUnitMap). */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Resource attributes that become `job` and `instance` rather than `target_info` labels. */
const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

function isRemoteWritten(m: StoredMetric): boolean {
  return m.scopeName === PROMETHEUS_SCOPE;
}

type PromKind = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The Prometheus type an OTLP metric becomes, or undefined when it has no Prometheus form. */
function kindOf(m: StoredMetric): PromKind | undefined {
  switch (m.metricType) {
    case 'gauge':
      return 'gauge';
    case 'sum':
      if (m.temporality !== CUMULATIVE) return undefined;
      return m.isMonotonic ? 'counter' : 'gauge';
    case 'histogram':
      return m.temporality === CUMULATIVE ? 'histogram' : undefined;
    case 'summary':
      return 'summary';
    default:
      return undefined;
  }
}

function splitUnit(unit: string): { main: string; per: string } {
  const slash = unit.indexOf('/');
  const mainPart = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perPart = slash < 0 ? '' : unit.slice(slash + 1).trim();
  const annotated = (u: string) => u.includes('{') || u.includes('}');
  const main = mainPart && !annotated(mainPart) ? (UNIT_WORDS[mainPart] ?? mainPart) : '';
  const perWord = perPart && !annotated(perPart) ? (PER_UNIT_WORDS[perPart] ?? perPart) : '';
  return { main, per: perWord ? `per_${perWord}` : '' };
}

/** Invalid metric-name characters (and runs of them, `_` included) → one `_`, minus a leading one. */
function cleanUnit(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9:]+/g, '_').replace(/^_/, '');
}

/**
 * The Prometheus name of an OTLP metric of the given Prometheus type, or undefined when nothing
 * of the name and unit is left.
 */
function otlpMetricName(m: StoredMetric, kind: PromKind): string | undefined {
  const tokens = m.metricName.split(/[^a-zA-Z0-9:]+/).filter((t) => t !== '');
  const units = splitUnit(m.unit);
  let main = cleanUnit(units.main);
  let per = cleanUnit(units.per);
  if (tokens.includes(main)) main = '';
  per = per === 'per_' ? '' : per.replace(/_$/, '');
  if (tokens.includes(per)) per = '';
  if (per) main = main.replace(/_$/, '');
  let named = [...tokens, ...[main, per].filter((u) => u !== '')];
  if (kind === 'counter') named = [...named.filter((t) => t !== 'total'), 'total'];
  if (m.unit === '1' && m.metricType === 'gauge') named = [...named.filter((t) => t !== 'ratio'), 'ratio'];
  const name = named.join('_');
  if (name === '') return undefined;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * An attribute key as a Prometheus label name, or undefined when nothing valid is left (the
 * key is empty or only invalid characters). `__x__` keeps its reserved underscores.
 */
export function prometheusLabelName(key: string): string | undefined {
  if (key === '') return undefined;
  const reserved = key.length >= 4 && key.startsWith('__') && key.endsWith('__');
  const inner = (reserved ? key.slice(2, -2) : key).replace(/[^a-zA-Z0-9]+/g, '_');
  let name = reserved ? `__${inner}__` : inner;
  if (/^[0-9]/.test(name)) name = `key_${name}`;
  return /^_*$/.test(name) ? undefined : name;
}

/** Attributes as labels: keys that sanitize alike are joined with `;` in their keys' order. */
function sanitizedLabels(attributes: Record<string, string>, skip?: ReadonlySet<string>): Record<string, string> {
  const labels: Record<string, string> = {};
  const keys = Object.keys(attributes)
    .filter((k) => !skip?.has(k))
    .sort();
  for (const key of keys) {
    const name = prometheusLabelName(key);
    if (name === undefined) continue;
    const value = attributes[key]!;
    labels[name] = name in labels ? `${labels[name]};${value}` : value;
  }
  return labels;
}

/** `job` = `service.namespace/service.name` (or `service.name`), `instance` = `service.instance.id`. */
function targetLabels(resource: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  const service = resource['service.name'];
  if (service !== undefined) {
    const namespace = resource['service.namespace'];
    labels.job = namespace ? `${namespace}/${service}` : service;
  }
  const instance = resource['service.instance.id'];
  if (instance !== undefined) labels.instance = instance;
  return labels;
}

function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(labels)) if (v === '') delete labels[k];
  return labels;
}

/**
 * Every Prometheus series the stored series stands for. `bounds` are the ExplicitBounds of its
 * histogram points and `quantiles` the Quantiles of its summary points (catalog rows do not
 * carry them); with none given, a histogram has only its `+Inf` bucket and a summary no
 * quantile series. Empty for series that have no Prometheus form (see the file comment).
 */
export function prometheusViewsOf(
  s: CatalogSeries,
  bounds: readonly number[] = [],
  quantiles: readonly number[] = [],
): PromSeriesView[] {
  if (isRemoteWritten(s)) {
    if (s.metricType !== 'gauge' && s.metricType !== 'sum') return [];
    return [{ labels: { ...s.attributes, __name__: s.metricName }, value: 'value' }];
  }
  const kind = kindOf(s);
  const name = kind && otlpMetricName(s, kind);
  if (!kind || !name) return [];
  const base = sanitizedLabels(s.attributes);
  if (s.scopeName) {
    base.otel_scope_name = s.scopeName;
    base.otel_scope_version = s.scopeVersion;
  }
  Object.assign(base, targetLabels(s.resourceAttributes));
  withoutEmpty(base);
  const view = (suffix: string, value: PromSampleSource, extra: Record<string, string> = {}): PromSeriesView => ({
    labels: { ...base, ...extra, __name__: name + suffix },
    value,
  });
  switch (kind) {
    case 'counter':
    case 'gauge':
      return [view('', 'value')];
    case 'histogram':
      return [
        ...bounds.map((bound, bucket) => view('_bucket', { bucket, bound }, { le: formatFloat(bound, 'f') })),
        view('_bucket', { bucket: -1, bound: Infinity }, { le: '+Inf' }),
        view('_sum', 'sum'),
        view('_count', 'count'),
      ];
    case 'summary':
      return [
        ...quantiles.map((q, quantile) => view('', { quantile, q }, { quantile: formatFloat(q, 'f') })),
        view('_sum', 'sum'),
        view('_count', 'count'),
      ];
  }
}

/**
 * The labels of the `target_info` series (value 1) of a resource: `job`, `instance` and its
 * other attributes as labels. Undefined when the resource has no attribute besides the
 * service's name, namespace and instance id, or neither `job` nor `instance` (as Prometheus'
 * OTLP receiver). Remote-written series have an empty resource, hence none.
 */
export function targetInfoOf(resourceAttributes: Record<string, string>): Record<string, string> | undefined {
  if (Object.keys(resourceAttributes).every((k) => IDENTIFYING.has(k))) return undefined;
  const target = targetLabels(resourceAttributes);
  if (target.job === undefined && target.instance === undefined) return undefined;
  const labels = { ...sanitizedLabels(resourceAttributes, IDENTIFYING), ...target, __name__: 'target_info' };
  return withoutEmpty(labels);
}

/** Every `__name__` the stored metric answers to, for selecting series by name. */
export function prometheusMetricNames(m: StoredMetric): string[] {
  if (isRemoteWritten(m)) return m.metricType === 'gauge' || m.metricType === 'sum' ? [m.metricName] : [];
  const kind = kindOf(m);
  const name = kind && otlpMetricName(m, kind);
  if (!kind || !name) return [];
  if (kind === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (kind === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** An OTLP unit as Prometheus' UNIT metadata (otlptranslator's UnitNamer): `By/s` → `bytes_per_second`. */
export function prometheusUnit(unit: string): string {
  const { main, per } = splitUnit(unit);
  const cleanMain = cleanUnit(main);
  const cleanPer = cleanUnit(per);
  const joined = cleanMain && cleanPer ? `${cleanMain}_${cleanPer}` : cleanMain || cleanPer;
  return joined.replace(/^_/, '').replace(/_$/, '');
}

/**
 * The metric family the stored metric belongs to, as `/api/v1/metadata` lists it: for OTLP
 * metrics the family name is the metric's Prometheus name (with `_total`; without `_bucket`…),
 * the unit its Prometheus unit and the help its description. A remote-written series is its own
 * family with the help and unit its sender's metadata gave; its type is `counter` when it was
 * stored as a monotonic sum and `unknown` otherwise, since gauges are also where series without
 * metadata land (ADR 0018). Undefined for metrics with no Prometheus form.
 */
export function prometheusMetadataOf(m: StoredMetric): PromMetadata | undefined {
  if (isRemoteWritten(m)) {
    if (m.metricType !== 'gauge' && m.metricType !== 'sum') return undefined;
    const type = m.metricType === 'sum' && m.isMonotonic ? 'counter' : 'unknown';
    return { family: m.metricName, type, help: m.description, unit: m.unit };
  }
  const kind = kindOf(m);
  const family = kind && otlpMetricName(m, kind);
  if (!kind || !family) return undefined;
  return { family, type: kind, help: m.description, unit: prometheusUnit(m.unit) };
}
