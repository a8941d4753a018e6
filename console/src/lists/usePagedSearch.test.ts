import { describe, expect, it } from 'vitest';
import { usePagedSearch } from './usePagedSearch.js';

describe('paged search', () => {
  it('appends the next page by cursor and knows when there is none', async () => {
    const pages: Record<string, { data: number[]; meta?: Record<string, unknown> }> = {
      first: { data: [1, 2], meta: { nextCursor: 'c2' } },
      c2: { data: [3], meta: {} },
    };
    const asked: (string | undefined)[] = [];
    const search = usePagedSearch(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'first']!;
    });
    await search.reset();
    expect(search.items.value).toEqual([1, 2]);
    expect(search.cursor.value).toBe('c2');
    await search.more();
    expect(search.items.value).toEqual([1, 2, 3]);
    expect(search.cursor.value).toBeNull();
    await search.reset();
    expect(search.items.value).toEqual([1, 2]);
    expect(asked).toEqual([undefined, 'c2', undefined]);
  });
});
