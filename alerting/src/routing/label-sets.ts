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
