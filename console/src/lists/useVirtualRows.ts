import { computed, type Ref } from 'vue';
import { useScrollViewport } from './useScrollViewport.js';
import { virtualWindow } from './virtual-window.js';

/**
 * Fixed-height row virtualization for a scrolling element: only the rows in view (and a few
 * around them) are rendered, so 10,000 rows cost what 50 do.
 */
export function useVirtualRows(el: Ref<HTMLElement | null>, rowHeight: number, count: Ref<number>) {
  const { scrollTop, height } = useScrollViewport(el);
  const range = computed(() => virtualWindow(scrollTop.value, height.value, rowHeight, count.value));
  const totalHeight = computed(() => count.value * rowHeight);
  const offset = computed(() => range.value.start * rowHeight);
  return { range, totalHeight, offset, scrollTop, height };
}
