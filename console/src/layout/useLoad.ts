import { ref, shallowRef } from 'vue';
import { isAbortedRead } from '../api/http.js';

/**
 * State of one kind of request on a page: the latest answer, its error, whether one is under
 * way. A slower earlier request never overwrites the answer of a later one; a read cancelled
 * because its page was left is no error.
 */
export function useLoad<T, A extends unknown[]>(fn: (...args: A) => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const error = shallowRef<unknown>(null);
  const loading = ref(false);
  let latest = 0;

  async function run(...args: A): Promise<T | null> {
    const mine = ++latest;
    loading.value = true;
    error.value = null;
    try {
      const result = await fn(...args);
      if (mine === latest) data.value = result;
      return result;
    } catch (err) {
      if (mine === latest && !isAbortedRead(err)) error.value = err;
      return null;
    } finally {
      if (mine === latest) loading.value = false;
    }
  }

  return { data, error, loading, run };
}
