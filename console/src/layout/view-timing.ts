import type { Router } from 'vue-router';
import { START_LOCATION } from 'vue-router';

/**
 * Performance measures at the moments a user waits for (the services table's rows, a trace's
 * span rows, a dashboard's first chart), read by `pnpm bench:console` from
 * `performance.getEntriesByType('measure')` and shown in the browser's performance panel. Each runs
 * from the start of the navigation that opened the view (for the page's first view, the page load's
 * own start) to the frame that painted it, at most once per view opened (a change of the query
 * alone, such as the time range, is not a new view).
 */
let start = 0;
let navigation = 0;
const measured = new Set<string>();

/** Every navigation to another path starts the clock again; the first is the page load's. */
export function timeNavigations(router: Router): void {
  router.beforeEach((to, from) => {
    if (to.path === from.path) return true;
    navigation++;
    measured.clear();
    start = from === START_LOCATION ? 0 : performance.now();
    return true;
  });
}

/** Measures `name` up to the frame that paints the DOM as it is now (call after `nextTick`). */
export function measureDrawn(name: string, detail: Record<string, number>): void {
  if (measured.has(name)) return;
  measured.add(name);
  const mine = navigation;
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (mine === navigation) performance.measure(name, { start, end: performance.now(), detail });
    }, 0),
  );
}
