import { describe, expect, it } from 'vitest';
import { droppedText, logFlagsText, spanFlagsText } from './otlp-fields.js';

describe('OTLP fields as text', () => {
  it('span flags: sampled, and whether the parent was remote when the SDK says', () => {
    expect(spanFlagsText(0x301)).toBe('sampled, remote parent');
    expect(spanFlagsText(0x101)).toBe('sampled, local parent');
    expect(spanFlagsText(0x1)).toBe('sampled');
    expect(spanFlagsText(0)).toBe('not sampled');
    expect(spanFlagsText(0x300, 'context')).toBe('not sampled, remote context');
    expect(logFlagsText(1)).toBe('sampled');
    expect(logFlagsText(0)).toBe('not sampled');
  });

  it('dropped counts, only those above zero', () => {
    expect(droppedText({ attributes: 2, events: 0, links: 1 })).toBe('2 attributes, 1 link dropped');
    expect(droppedText({ events: 1 })).toBe('1 event dropped');
    expect(droppedText({ attributes: 0 })).toBe('');
  });
});
