// Go's strconv.FormatFloat(v, fmt, -1, 64) — the shortest digits that read back as v — in the
// three formats Prometheus prints: 'f' (no exponent), 'e' (d.ddde±dd), 'g' as fmt's %v (%e for exponents
// < -4 or ≥ 21, else %f). Special values: NaN, +Inf, -Inf.

export type GoFloatFormat = 'f' | 'e' | 'g';

export function formatFloat(v: number, fmt: GoFloatFormat): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const negative = v < 0 || Object.is(v, -0);
  const { digits, exp } = shortestDigits(Math.abs(v));
  const sign = negative ? '-' : '';
  if (fmt === 'e') return sign + exponential(digits, exp);
  if (fmt === 'g') {
    // fmt's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e21.
    if (exp < -4 || exp >= 21) return sign + exponential(digits, exp);
  }
  return sign + fixed(digits, exp);
}

/** Decimal digits (no leading/trailing zeros, "0" for zero) and the exponent of the first digit. */
function shortestDigits(abs: number): { digits: string; exp: number } {
  if (abs === 0) return { digits: '0', exp: 0 };
  const [mantissa, e] = abs.toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', ''), exp: Number(e) };
}

function exponential(digits: string, exp: number): string {
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${mantissa}e${sign}${abs < 10 ? '0' : ''}${abs}`;
}

function fixed(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}
