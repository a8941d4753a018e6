import { computed, onScopeDispose, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { patchQuery, useQueryParam } from '../layout/url-state.js';
import { parseRange, rangeQuery, refreshMs, resolveRange, type RangeSpec, type TimeWindow } from './time-range.js';

/**
 * The page's time range and auto-refresh, both in the URL (`range` or `from`/`to`, `refresh`).
 * `window` changes when the range changes or a refresh is due; views load on its change.
 */
export function useTimeRange() {
  const route = useRoute();
  const router = useRouter();
  const now = ref(Date.now());
  const spec = computed<RangeSpec>(() => parseRange(route.query));
  const window = computed<TimeWindow>(() => resolveRange(spec.value, now.value));
  const refresh = useQueryParam('refresh', 'off');

  let timer: ReturnType<typeof setInterval> | undefined;
  watch(
    refresh,
    (interval) => {
      clearInterval(timer);
      const ms = refreshMs(interval);
      if (ms !== null) timer = setInterval(() => (now.value = Date.now()), ms);
    },
    { immediate: true },
  );
  onScopeDispose(() => clearInterval(timer));

  function setRange(next: RangeSpec): void {
    now.value = Date.now();
    patchQuery(router, rangeQuery(next));
  }

  function setRefresh(interval: string): void {
    refresh.value = interval;
  }

  function reload(): void {
    now.value = Date.now();
  }

  return { spec, window, refresh, setRange, setRefresh, reload };
}
