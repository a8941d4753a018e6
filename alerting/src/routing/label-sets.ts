// Label sets printed and hashed exactly as Prometheus' common/model does, so group keys and
// alert fingerprints equal Alertmanager's for the same labels.

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const SEPARATOR = 0xff;
const MASK_64 = (1n << 64n) - 1n;

/** The label names in byte order, as Go sorts strings. */
function sortedNames(labels: Readonly<Record<string, string>>): string[] {
  return Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `model.LabelSet.Fingerprint()`: FNV-1a 64 over name, 0xff, value, 0xff of each label in name order, as 16 hex digits. */
export function labelSetFingerprint(labels: Readonly<Record<string, string>>): string {
  let h = FNV_OFFSET_64;
  const add = (byte: number) => {
    h = ((h ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  };
  for (const name of sortedNames(labels)) {
    for (const b of Buffer.from(name, 'utf8')) add(b);
    add(SEPARATOR);
    for (const b of Buffer.from(labels[name]!, 'utf8')) add(b);
    add(SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}

/** `model.LabelSet.String()`: `{alertname="X", cluster="a"}` (the `name="value"` pairs sorted as strings, as Go does). */
export function labelSetString(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([n, v]) => `${n}=${JSON.stringify(v)}`);
  return `{${pairs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).join(', ')}}`;
}

function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** `model.LabelSet.Before`: label by label in name order, names then values; a prefix sorts first. */
export function compareLabelSets(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  const [an, bn] = [sortedNames(a), sortedNames(b)];
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const byName = compareStrings(an[i]!, bn[i]!);
    if (byName !== 0) return byName;
    const byValue = compareStrings(a[an[i]!]!, b[bn[i]!]!);
    if (byValue !== 0) return byValue;
  }
  return an.length - bn.length;
}

/** Alertmanager's order of alerts in a notification (AlertSlice.Less): by job, then instance (an alert without one last), then all labels. */
export function compareAlertLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  for (const key of ['job', 'instance']) {
    const [x, y] = [a[key], b[key]];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return compareLabelSets(a, b);
}
