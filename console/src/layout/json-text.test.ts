import { describe, expect, it } from 'vitest';
import { parseJson } from './json-text.js';

describe('JSON text', () => {
  it('gives the value, or a reason naming what was edited', () => {
    expect(parseJson('{"a":1}', 'the rule')).toEqual({ value: { a: 1 } });
    const r = parseJson('{a:1}', 'the rule');
    expect('error' in r && r.error.startsWith('the rule is not JSON:')).toBe(true);
  });
});
