import { describe, expect, it } from 'vitest';
import { bodyLine, prettyBody, severityName } from './log-format.js';

describe('log formatting', () => {
  it('names severities by OTel range, else by text', () => {
    expect(severityName({ severityNumber: 9, severityText: 'info' })).toBe('INFO');
    expect(severityName({ severityNumber: 17, severityText: '' })).toBe('ERROR');
    expect(severityName({ severityNumber: 24, severityText: '' })).toBe('FATAL');
    expect(severityName({ severityNumber: 0, severityText: 'notice' })).toBe('NOTICE');
    expect(severityName({ severityNumber: 0, severityText: '' })).toBe('UNSPECIFIED');
  });

  it('pretty-prints JSON bodies and leaves other text alone', () => {
    expect(prettyBody({ stringValue: '{"user":"ann","n":2}' })).toBe('{\n  "user": "ann",\n  "n": 2\n}');
    expect(prettyBody({ stringValue: '{not json}' })).toBe('{not json}');
    expect(prettyBody({ stringValue: 'plain text' })).toBe('plain text');
    expect(prettyBody({ kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } })).toBe('{\n  "a": 1\n}');
    expect(bodyLine({ stringValue: 'two\n  lines' })).toBe('two lines');
  });
});
