import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The scroll position and visible height of a scrolling element, for virtualized lists. */
export function useScrollViewport(el: Ref<HTMLElement | null>) {
  const scrollTop = ref(0);
  const height = ref(600);
  const onScroll = () => (scrollTop.value = el.value?.scrollTop ?? 0);
  let observer: ResizeObserver | null = null;
  onMounted(() => {
    el.value?.addEventListener('scroll', onScroll, { passive: true });
    observer = new ResizeObserver(() => (height.value = el.value?.clientHeight ?? height.value));
    if (el.value) observer.observe(el.value);
  });
  onBeforeUnmount(() => {
    el.value?.removeEventListener('scroll', onScroll);
    observer?.disconnect();
  });
  return { scrollTop, height };
}
