import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, nextTick } from 'vue';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { useTimeRangeStore } from './time-range.store.js';

describe('time range store', () => {
  let router: Router;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
    router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/:p(.*)*', component: { render: () => null } }],
    });
    const pinia = createPinia();
    createApp({ render: () => null })
      .use(router)
      .use(pinia);
    setActivePinia(pinia);
    await router.push('/services?range=6h');
  });
  afterEach(() => vi.useRealTimers());

  it('reads the range from the URL and writes a new one back to it', async () => {
    const time = useTimeRangeStore();
    expect(time.spec).toEqual({ preset: '6h' });
    expect(time.window.to - time.window.from).toBe(6 * 3_600_000);
    time.setRange({ from: 1000, to: 5000 });
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({ from: '1000', to: '5000' }));
    expect(time.window).toEqual({ from: 1000, to: 5000 });
  });

  it('moves the window forward every refresh interval the URL names, and stops when it is off', async () => {
    const time = useTimeRangeStore();
    const before = time.window.to;
    time.setRefresh('10s');
    await vi.waitFor(() => expect(router.currentRoute.value.query.refresh).toBe('10s'));
    await nextTick();
    vi.advanceTimersByTime(10_000);
    const ticked = time.window.to;
    expect(ticked).toBeGreaterThanOrEqual(before + 10_000);
    time.setRefresh('off');
    await vi.waitFor(() => expect(router.currentRoute.value.query.refresh).toBeUndefined());
    await nextTick();
    vi.advanceTimersByTime(30_000);
    expect(time.window.to).toBe(ticked);
  });

  it('treats an unreadable refresh in a shared link as off', async () => {
    await router.push('/logs?refresh=often');
    expect(useTimeRangeStore().refresh).toBe('off');
  });
});
