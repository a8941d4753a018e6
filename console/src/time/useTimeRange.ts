import { toRef } from 'vue';
import { useTimeRangeStore } from './time-range.store.js';

/** The page's time range and auto-refresh as refs (the shared store; the URL holds the state). */
export function useTimeRange() {
  const store = useTimeRangeStore();
  return {
    spec: toRef(store, 'spec'),
    window: toRef(store, 'window'),
    refresh: toRef(store, 'refresh'),
    setRange: store.setRange,
    setRefresh: store.setRefresh,
    reload: store.reload,
  };
}
