import { describe, expect, it } from 'vitest';
import { anyValueText, attributeRows } from './attribute-text.js';

describe('attribute text', () => {
  it('reads every OTLP/JSON value kind', () => {
    expect(anyValueText({ stringValue: 'GET' })).toBe('GET');
    expect(anyValueText({ intValue: '200' })).toBe('200');
    expect(anyValueText({ doubleValue: 1.5 })).toBe('1.5');
    expect(anyValueText({ boolValue: false })).toBe('false');
    expect(anyValueText({ arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } })).toBe('[1, x]');
    expect(anyValueText({ kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } })).toBe('{a: true}');
    expect(anyValueText({})).toBe('');
  });
  it('sorts attributes by key', () => {
    expect(
      attributeRows([
        { key: 'b', value: { stringValue: '2' } },
        { key: 'a', value: { stringValue: '1' } },
      ]).map((r) => r.key),
    ).toEqual(['a', 'b']);
  });
});
