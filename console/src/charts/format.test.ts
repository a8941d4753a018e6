import { describe, expect, it } from 'vitest';
import { formatMs, formatNsDuration, formatPercent, formatRate, formatValue, rateAxisFormat } from './format.js';

describe('formats', () => {
  it('durations pick a unit', () => {
    expect(formatMs(0.25)).toBe('250 µs');
    expect(formatMs(3.456)).toBe('3.46 ms');
    expect(formatMs(245)).toBe('245 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatMs(null)).toBe('–');
    expect(formatNsDuration('120000000')).toBe('120 ms');
  });
  it('rates and percentages', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.005)).toBe('0.30/min');
    expect(formatRate(42.4)).toBe('42/s');
    expect(formatPercent(0.02)).toBe('2.00%');
    expect(formatPercent(0.5)).toBe('50.0%');
    expect(formatPercent(null)).toBe('–');
  });
  it('values to four significant digits', () => {
    expect(formatValue(401.45675238996154)).toBe('401.5');
    expect(formatValue(0.020408)).toBe('0.02041');
    expect(formatValue(49)).toBe('49');
    expect(formatValue(null)).toBe('–');
  });
});

describe('rate axes', () => {
  it('label every value in one unit, per minute when the rates are small', () => {
    const small = rateAxisFormat(0.02);
    expect([0, 0.003, 0.006, 0.02].map(small)).toEqual(['0/min', '0.18/min', '0.36/min', '1.2/min']);
    const large = rateAxisFormat(40);
    expect([0, 0.5, 12].map(large)).toEqual(['0/s', '0.5/s', '12/s']);
  });
});
