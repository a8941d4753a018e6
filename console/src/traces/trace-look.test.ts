import type { SpanDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { cursorStep, matchingSpans, serviceColor, serviceLegend } from './trace-look.js';

function span(spanId: string, serviceName: string, name: string, extra: Partial<SpanDto> = {}): SpanDto {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId: '',
    traceState: '',
    name,
    kind: 'SPAN_KIND_INTERNAL',
    serviceName,
    startTimeUnixNano: '0',
    endTimeUnixNano: '1',
    durationNs: '1',
    status: { code: 'STATUS_CODE_UNSET', message: '' },
    flags: 0,
    attributes: [],
    resource: [],
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...extra,
  };
}

describe('service colours', () => {
  it('gives a name the same colour every time, and different services mostly different ones', () => {
    expect(serviceColor('checkout')).toBe(serviceColor('checkout'));
    const names = ['checkout', 'payments', 'cart', 'frontend', 'shipping', 'email'];
    expect(new Set(names.map(serviceColor)).size).toBeGreaterThanOrEqual(4);
    expect(serviceColor('checkout')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('lists a trace’s services by span count', () => {
    const legend = serviceLegend([span('1', 'a', 'x'), span('2', 'b', 'y'), span('3', 'b', 'z')]);
    expect(legend.map((l) => [l.service, l.spans])).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
    expect(legend[0]!.color).toBe(serviceColor('b'));
  });
});

describe('search within a trace', () => {
  const spans = [
    span('1', 'checkout', 'GET /checkout', {
      attributes: [{ key: 'http.route', value: { stringValue: '/checkout' } }],
    }),
    span('2', 'payments', 'charge card', { attributes: [{ key: 'step', value: { intValue: '5' } }] }),
    span('3', 'payments', 'refund', {
      events: [
        {
          timeUnixNano: '0',
          name: 'exception',
          attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }],
          droppedAttributesCount: 0,
        },
      ],
    }),
  ];
  it('finds names, services, attribute keys and values, event attributes; case-insensitive', () => {
    expect([...matchingSpans(spans, 'CHARGE')]).toEqual(['2']);
    expect([...matchingSpans(spans, 'payments')]).toEqual(['2', '3']);
    expect([...matchingSpans(spans, 'http.route')]).toEqual(['1']);
    expect([...matchingSpans(spans, '5')]).toEqual(['2']);
    expect([...matchingSpans(spans, 'boom')]).toEqual(['3']);
    expect(matchingSpans(spans, '  ').size).toBe(0);
  });
});

describe('keyboard cursor', () => {
  it('moves with arrows and j/k within the rows, starts at the first row', () => {
    expect(cursorStep('j', -1, 5)).toBe(0);
    expect(cursorStep('ArrowDown', 1, 5)).toBe(2);
    expect(cursorStep('j', 4, 5)).toBe(4);
    expect(cursorStep('k', 0, 5)).toBe(0);
    expect(cursorStep('ArrowUp', 3, 5)).toBe(2);
    expect(cursorStep('End', 0, 5)).toBe(4);
    expect(cursorStep('x', 0, 5)).toBeNull();
    expect(cursorStep('j', -1, 0)).toBeNull();
  });
});
