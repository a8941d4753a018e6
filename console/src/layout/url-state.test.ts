import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { patchQuery } from './url-state.js';

function router() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { render: () => null } }],
  });
}

describe('view state in the URL', () => {
  it('merges several changes of one tick into one navigation and drops emptied keys', async () => {
    const r = router();
    await r.push('/logs?q=timeout&service=api&range=6h');
    let navigations = 0;
    r.afterEach(() => void navigations++);
    patchQuery(r, { q: 'declined' });
    patchQuery(r, { service: undefined, minSeverity: 'ERROR' });
    patchQuery(r, { range: '' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.currentRoute.value.fullPath).toBe('/logs?q=declined&minSeverity=ERROR');
    expect(navigations).toBe(1);
  });
});
