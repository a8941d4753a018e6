import { formatFloat } from './go-float.js';

// JSON as Go's encoding/json writes it (Prometheus' API goes through jsoniter's standard-library
// compatible mode): HTML-safe string escaping and Go's float64 number form.

const HEX = '0123456789abcdef';

export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&') out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    else if (c === 0x2028 || c === 0x2029) out += '\\u202' + HEX[c & 0xf];
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** encoding/json's float64: %f, or %e for magnitudes below 1e-6 or from 1e21, with e-07 cleaned to e-7. */
export function goJsonNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return formatFloat(v, 'e').replace(/e-0(\d)$/, 'e-$1');
  return formatFloat(v, 'f');
}
