import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@telemetryflow/http-kit';
import { logRowToDto, parseLogSearch, parseMinSeverity } from './log-search.js';
import { parseTextSearch, searchWords, textSearchConditions } from './text-search.js';

test('searchWords splits on separators, lower-cases and de-duplicates', () => {
  assert.deepEqual(searchWords('Payment FAILED: card-declined, failed!'), ['payment', 'failed', 'card', 'declined']);
  assert.deepEqual(searchWords('  ...  '), []);
  assert.deepEqual(searchWords('Grüße 42'), ['grüße', '42']);
});

test('parseLogSearch validates traceId and limit', () => {
  const s = parseLogSearch({
    q: 'Timeout',
    traceId: 'AB'.repeat(16),
    limit: '5',
    from: '0',
    to: '1000',
    'attr.user': 'bob',
    minSeverity: 'warn',
  });
  assert.equal(s.text, 'Timeout');
  assert.deepEqual(s.attributes, [{ label: 'attr.user', value: 'bob' }]);
  assert.equal(s.minSeverity, 13);
  assert.equal(parseMinSeverity('17'), 17);
  assert.throws(
    () => parseMinSeverity('25'),
    (e: unknown) => e instanceof ApiError && e.message.startsWith('minSeverity:'),
  );
  assert.throws(
    () => parseLogSearch({ cursor: 'nope' }),
    (e: unknown) => e instanceof ApiError && e.message.startsWith('cursor:'),
  );
  assert.equal(s.traceId, 'ab'.repeat(16));
  assert.equal(s.limit, 5);
  assert.throws(
    () => parseLogSearch({ traceId: 'zz' }),
    (e: unknown) => e instanceof ApiError && e.message.startsWith('traceId:'),
  );
  assert.throws(
    () => parseLogSearch({ limit: '5000' }),
    (e: unknown) => e instanceof ApiError && e.message.startsWith('limit:'),
  );
});

test('logRowToDto restores structured bodies and empty ids', () => {
  const dto = logRowToDto({
    timeNs: '1',
    observedNs: '2',
    SeverityNumber: 17,
    SeverityText: 'ERROR',
    Body: '{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}}]}}',
    BodyType: 'kvlist',
    ServiceName: 'api',
    traceId: '0'.repeat(32),
    spanId: '0'.repeat(16),
    Attributes: {},
    AttributeTypes: {},
    ResourceAttributes: {},
    ResourceAttributeTypes: {},
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: {},
    ScopeAttributeTypes: {},
    ScopeDroppedAttributesCount: 0,
    EventName: 'session.start',
    Flags: '1',
    DroppedAttributesCount: 2,
  });
  assert.deepEqual([dto.eventName, dto.flags, dto.droppedAttributesCount], ['session.start', 1, 2]);
  assert.deepEqual(dto.body, { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } });
  assert.equal(dto.traceId, '');
  assert.equal(dto.spanId, '');
});

test('text search: words, phrases and prefixes become bound hasToken / RE2 conditions', () => {
  const t = parseTextSearch('Payment "card  Declined" pay* order-4*');
  assert.deepEqual(t, { words: ['payment', 'order'], phrases: [['card', 'declined']], prefixes: ['pay', '4'] });
  const parts = textSearchConditions(t, 'w');
  // Words use the expression of the tokenbf_v1 skip index on logs.
  assert.equal(parts[0]!.sql, 'hasToken(lowerUTF8(Body), {w0:String})');
  assert.deepEqual(
    parts.map((p) => Object.values(p.params)[0]),
    [
      'payment',
      'order',
      'card',
      'declined',
      'card[^a-z0-9\\x{80}-\\x{10ffff}]+declined',
      '(^|[^a-z0-9\\x{80}-\\x{10ffff}])pay',
      '(^|[^a-z0-9\\x{80}-\\x{10ffff}])4',
    ],
  );
  assert.deepEqual(searchWords('ÉCLAIR au Chocolat'), ['éclair', 'au', 'chocolat']);
  assert.throws(
    () => parseTextSearch(Array.from({ length: 17 }, (_, i) => `w${i}`).join(' ')),
    (e: unknown) => e instanceof ApiError,
  );
});
