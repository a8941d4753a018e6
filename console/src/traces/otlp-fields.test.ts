import { describe, expect, it } from 'vitest';
import { droppedText, logFlagsText, spanFlagsText, spanKindWord } from './otlp-fields.js';

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

describe('span kinds', () => {
  it('reads as words, whichever form the kind comes in', () => {
    expect(spanKindWord('SPAN_KIND_SERVER')).toBe('server');
    expect(spanKindWord('SPAN_KIND_CLIENT')).toBe('client');
    expect(spanKindWord('SPAN_KIND_PRODUCER')).toBe('producer');
    expect(spanKindWord('SPAN_KIND_CONSUMER')).toBe('consumer');
    expect(spanKindWord('SPAN_KIND_INTERNAL')).toBe('internal');
    expect(spanKindWord(3)).toBe('client');
    expect(spanKindWord('5')).toBe('consumer');
    expect(spanKindWord('Server')).toBe('server');
    expect(spanKindWord('weird')).toBe('weird');
  });
});
