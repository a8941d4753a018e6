import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

export type ThemeName = 'light' | 'dark';
const KEY = 'tf.theme';

function initialTheme(): ThemeName {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const useThemeStore = defineStore('theme', () => {
  const name = ref<ThemeName>(initialTheme());
  watch(name, (n) => localStorage.setItem(KEY, n));
  const dark = computed(() => name.value === 'dark');
  function toggle(): void {
    name.value = dark.value ? 'light' : 'dark';
  }
  return { name, dark, toggle };
});
