import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../http/api-error.js';
import { bodyWordCondition, logRowToDto, parseLogSearch } from './log-search.js';
import { searchWords } from './text-search.js';

test('searchWords splits on separators, lower-cases and de-duplicates', () => {
  assert.deepEqual(searchWords('Payment FAILED: card-declined, failed!'), ['payment', 'failed', 'card', 'declined']);
  assert.deepEqual(searchWords('  ...  '), []);
  assert.deepEqual(searchWords('Grüße 42'), ['grüße', '42']);
});

test('parseLogSearch validates traceId and limit', () => {
  const s = parseLogSearch({ q: 'Timeout', traceId: 'AB'.repeat(16), limit: '5', from: '0', to: '1000' });
  assert.deepEqual(s.words, ['timeout']);
  assert.equal(s.traceId, 'ab'.repeat(16));
  assert.equal(s.limit, 5);
  assert.throws(() => parseLogSearch({ traceId: 'zz' }), (e: unknown) => e instanceof ApiError && e.message.startsWith('traceId:'));
  assert.throws(() => parseLogSearch({ limit: '5000' }), (e: unknown) => e instanceof ApiError && e.message.startsWith('limit:'));
});

test('logRowToDto restores structured bodies and empty ids', () => {
  const dto = logRowToDto({
    timeNs: '1', observedNs: '2', SeverityNumber: 17, SeverityText: 'ERROR',
    Body: '{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}}]}}', BodyType: 'kvlist',
    ServiceName: 'api', traceId: '0'.repeat(32), spanId: '0'.repeat(16),
    Attributes: {}, AttributeTypes: {}, ResourceAttributes: {}, ResourceAttributeTypes: {}, ScopeName: '', ScopeVersion: '',
  });
  assert.deepEqual(dto.body, { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } });
  assert.equal(dto.traceId, '');
  assert.equal(dto.spanId, '');
});

test('bodyWordCondition: a bound whole-token match on the UTF-8 lower-cased body (the skip index expression)', () => {
  assert.equal(bodyWordCondition('w0'), 'hasToken(lowerUTF8(Body), {w0:String})');
  assert.deepEqual(searchWords('ÉCLAIR au Chocolat'), ['éclair', 'au', 'chocolat']);
});
