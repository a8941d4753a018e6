import { QuerySchema } from '@telemetryflow/contract/query';
import { describe, expect, it } from 'vitest';
import { attributeRecord, attributeRows, starterQuery, withOperator, withoutEmpty } from './query-draft.js';

describe('query drafts', () => {
  it('starts spans and logs queries that the query schema accepts; a metrics query needs its metric', () => {
    expect(QuerySchema.safeParse(starterQuery('spans')).success).toBe(true);
    expect(QuerySchema.safeParse(starterQuery('logs')).success).toBe(true);
    const metrics = QuerySchema.safeParse(starterQuery('metrics'));
    expect(metrics.success).toBe(false);
    expect(metrics.error?.issues[0]?.path).toEqual(['metric']);
  });

  it("turns a filter's value into a list for `in` and back into one value", () => {
    const eq = { label: 'host', op: '=' as const, value: 'h1' };
    const inList = withOperator(eq, 'in');
    expect(inList).toEqual({ label: 'host', op: 'in', value: ['h1'] });
    expect(withOperator({ ...inList, value: ['h1', 'h2'] }, '!=')).toEqual({ label: 'host', op: '!=', value: 'h1' });
    expect(withOperator({ label: 'host', op: '=', value: '' }, 'in').value).toEqual([]);
  });

  it('converts attribute filters to rows and back, dropping rows without a key', () => {
    expect(attributeRows({ 'attr.route': '/a' })).toEqual([{ key: 'attr.route', value: '/a' }]);
    expect(
      attributeRecord([
        { key: ' attr.route ', value: '/a' },
        { key: '', value: 'x' },
      ]),
    ).toEqual({ 'attr.route': '/a' });
    expect(attributeRecord([{ key: '', value: 'x' }])).toBeUndefined();
  });

  it('leaves out empty texts and lists', () => {
    expect(withoutEmpty({ signal: 'logs', search: '', groupBy: [], filters: [{}], minSeverity: undefined })).toEqual({
      signal: 'logs',
      filters: [{}],
    });
  });
});
