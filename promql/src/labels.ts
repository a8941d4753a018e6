// Label sets as Prometheus keeps them: sorted by name, unique names, no empty values.

export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';
export const BUCKET_LABEL = 'le';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Builds a sorted label set from a record or pairs; empty values are dropped as Prometheus does. */
export function labelsFrom(input: Record<string, string> | Iterable<readonly [string, string]>): Labels {
  const entries =
    Symbol.iterator in input ? [...(input as Iterable<readonly [string, string]>)] : Object.entries(input);
  return entries
    .filter(([, value]) => value !== '')
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => compareStrings(a.name, b.name));
}

export function getLabel(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}

/** Code-unit order differs from Go's byte order only for astral characters; label names are ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Prometheus' labels.Compare: pairwise by name then value, the shorter set first on a common prefix. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

const SEP = '\uffff';

/** An identity key for a label set (the role of Prometheus' labels hash). */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const l of labels) key += l.name + SEP + l.value + SEP;
  return key;
}

/** Key over only the named labels (on(...)) or over all but the named ones (ignoring(...)/without). */
export function labelsKeyFor(labels: Labels, names: ReadonlySet<string>, include: boolean): string {
  let key = '';
  for (const l of labels) if (names.has(l.name) === include) key += l.name + SEP + l.value + SEP;
  return key;
}

export function withoutLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.filter((l) => !names.has(l.name));
}

export function keepLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.filter((l) => names.has(l.name));
}

export function dropMetricName(labels: Labels): Labels {
  return labels.some((l) => l.name === METRIC_NAME) ? labels.filter((l) => l.name !== METRIC_NAME) : labels;
}

/** Sets (or with an empty value deletes) one label, keeping the set sorted. */
export function setLabel(labels: Labels, name: string, value: string): Labels {
  const rest = labels.filter((l) => l.name !== name);
  if (value === '') return rest;
  const out = [...rest, { name, value }];
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

/** Prometheus' Labels.String(): {a="b", c="d"} with Go-quoted values. */
export function labelsString(labels: Labels): string {
  return '{' + labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}
