import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spanRowToDto, type SpanRow } from './span-mapping.js';

test('span row → SpanDto: root parent is "", typed attributes, events and links, flags, scope attributes and dropped counts', () => {
  const row: SpanRow = {
    traceId: '0102030405060708090a0b0c0d0e0f10',
    spanId: '1111111111111111',
    parentSpanId: '0000000000000000',
    TraceState: '',
    Name: 'GET /',
    Kind: 'SPAN_KIND_SERVER',
    ServiceName: 'api',
    startNs: '1000',
    endNs: '3000',
    DurationNs: '2000',
    StatusCode: 'STATUS_CODE_ERROR',
    StatusMessage: 'boom',
    Flags: 769,
    DroppedAttributesCount: 3,
    DroppedEventsCount: '2',
    DroppedLinksCount: 1,
    Attributes: { 'http.status_code': '500', route: '/' },
    AttributeTypes: { 'http.status_code': 'int' },
    ResourceAttributes: { 'service.name': 'api' },
    ResourceAttributeTypes: {},
    ScopeName: 'lib',
    ScopeVersion: '1.0',
    ScopeAttributes: { 'lib.mode': 'fast' },
    ScopeAttributeTypes: {},
    ScopeDroppedAttributesCount: 4,
    eventTimes: ['1500'],
    EventNames: ['exception'],
    EventAttributes: [{ retry: 'true' }],
    EventAttributeTypes: [{ retry: 'bool' }],
    linkTraceIds: ['aa'.repeat(16)],
    linkSpanIds: ['bb'.repeat(8)],
    LinkTraceStates: ['k=v'],
    LinkAttributes: [{}],
    LinkAttributeTypes: [{}],
    EventDroppedAttributesCounts: [5],
    LinkFlags: [257],
    LinkDroppedAttributesCounts: [6],
  };
  const dto = spanRowToDto(row);
  assert.equal(dto.parentSpanId, '');
  assert.deepEqual(dto.status, { code: 'STATUS_CODE_ERROR', message: 'boom' });
  assert.deepEqual(dto.attributes, [
    { key: 'http.status_code', value: { intValue: '500' } },
    { key: 'route', value: { stringValue: '/' } },
  ]);
  assert.deepEqual(dto.events, [
    {
      timeUnixNano: '1500',
      name: 'exception',
      attributes: [{ key: 'retry', value: { boolValue: true } }],
      droppedAttributesCount: 5,
    },
  ]);
  assert.deepEqual(dto.links, [
    {
      traceId: 'aa'.repeat(16),
      spanId: 'bb'.repeat(8),
      traceState: 'k=v',
      attributes: [],
      droppedAttributesCount: 6,
      flags: 257,
    },
  ]);
  assert.deepEqual(dto.scope, {
    name: 'lib',
    version: '1.0',
    attributes: [{ key: 'lib.mode', value: { stringValue: 'fast' } }],
    droppedAttributesCount: 4,
  });
  assert.deepEqual(
    [dto.flags, dto.droppedAttributesCount, dto.droppedEventsCount, dto.droppedLinksCount],
    [769, 3, 2, 1],
  );
  assert.equal(spanRowToDto({ ...row, parentSpanId: '2222222222222222' }).parentSpanId, '2222222222222222');
});
