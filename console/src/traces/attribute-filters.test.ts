import { describe, expect, it } from 'vitest';
import { attributeFilterPatch, attributeFiltersOf } from './attribute-filters.js';

describe('trace attribute filters in the URL', () => {
  it('reads attr. and resource. params only', () => {
    expect(
      attributeFiltersOf({ service: 'a', 'attr.http.route': '/x', 'resource.host.name': 'h', 'attr.': 'no' }),
    ).toEqual({ 'attr.http.route': '/x', 'resource.host.name': 'h' });
  });
  it('replaces the old filters with the edited rows', () => {
    expect(
      attributeFilterPatch({ 'attr.a': '1', 'attr.b': '2' }, [
        { key: 'attr.b', value: '3' },
        { key: 'oops', value: 'x' },
        { key: ' resource.c ', value: '4' },
      ]),
    ).toEqual({
      'attr.a': undefined,
      'attr.b': '3',
      'resource.c': '4',
    });
  });
});
