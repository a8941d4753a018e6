import type { Router } from 'vue-router';
import { rangeKeysOf } from './time-range.js';

/**
 * One time range for the whole console: the range (and auto-refresh) of the last page that
 * named one is carried to every signed-in page opened without one — a sidebar link, a link
 * from a table — so it survives navigation; a page whose URL names a range keeps its own.
 */
export function carryTimeRange(router: Router): void {
  let carried: Record<string, string> | null = null;
  router.beforeEach((to) => {
    if (to.meta.public) return true;
    const own = rangeKeysOf(to.query);
    if (own) {
      carried = own;
      return true;
    }
    if (!carried) return true;
    return { path: to.path, query: { ...to.query, ...carried }, hash: to.hash, replace: true };
  });
}
