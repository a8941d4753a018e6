import { describe, expect, it } from 'vitest';
import { formatUnit, panelThresholds, roundValue, thresholdColor, unitOptions } from './units.js';

describe('panel units', () => {
  it('round to four significant digits, or to the given decimals', () => {
    expect(roundValue(0.27708333333333296)).toBe('0.2771');
    expect(roundValue(401.45675238996154)).toBe('401.5');
    expect(roundValue(123456.7)).toBe('123457');
    expect(roundValue(0.5, 2)).toBe('0.50');
  });
  it('print seconds, milliseconds, bytes, percentages and rates', () => {
    expect(formatUnit(289.05, 'ms')).toBe('289.1 ms');
    expect(formatUnit(1500, 'ms')).toBe('1.5 s');
    expect(formatUnit(0.0004, 's')).toBe('400 µs');
    expect(formatUnit(90, 'seconds')).toBe('1.5 min');
    expect(formatUnit(3 * 1024 * 1024, 'bytes')).toBe('3 MiB');
    expect(formatUnit(2048, 'Bps')).toBe('2 KiB/s');
    expect(formatUnit(0.006772, 'percentunit')).toBe('0.6772%');
    expect(formatUnit(0.006772, 'percentunit', 2)).toBe('0.68%');
    expect(formatUnit(42, 'percent')).toBe('42%');
    expect(formatUnit(3.14159, 'rate')).toBe('3.142/s');
    expect(formatUnit(null, 'ms')).toBe('–');
    expect(formatUnit(7, 'furlongs')).toBe('7');
  });
  it('read unit, decimals and thresholds from panel options, ignoring wrong shapes', () => {
    expect(unitOptions({ unit: 'ms', decimals: 1 })).toEqual({ unit: 'ms', decimals: 1 });
    expect(unitOptions({ unit: 5, decimals: -1 })).toEqual({});
    const thresholds = panelThresholds({
      thresholds: [
        { value: 0.05, color: 'red' },
        { value: 0, color: 'green' },
        { value: 'x', color: 'blue' },
      ],
    });
    expect(thresholds).toEqual([
      { value: 0, color: 'green' },
      { value: 0.05, color: 'red' },
    ]);
    expect(thresholdColor(0.01, thresholds)).toBe('green');
    expect(thresholdColor(0.05, thresholds)).toBe('red');
    expect(thresholdColor(-1, thresholds)).toBeUndefined();
    expect(thresholdColor(null, thresholds)).toBeUndefined();
  });
});
