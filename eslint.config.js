import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import prettierOff from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '**/*.d.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  // The console runs in the browser: Vue single-file components, browser globals, and of the
  // workspace packages only the browser-safe API contract.
  ...pluginVue.configs['flat/recommended'].map((c) => ({ ...c, files: ['console/src/**/*.{ts,vue}'] })),
  {
    files: ['console/src/**/*.{ts,vue}'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
      globals: {
        window: 'readonly',
        document: 'readonly',
        KeyboardEvent: 'readonly',
        HTMLInputElement: 'readonly',
        PointerEvent: 'readonly',
        Blob: 'readonly',
        Event: 'readonly',
        localStorage: 'readonly',
        location: 'readonly',
        fetch: 'readonly',
        ResizeObserver: 'readonly',
        URLSearchParams: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        HTMLElement: 'readonly',
        Storage: 'readonly',
        Response: 'readonly',
      },
    },
    rules: {
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@telemetryflow/*', '!@telemetryflow/contract', '!@telemetryflow/contract/*'],
              message: 'the console (browser code) imports only the browser-safe @telemetryflow/contract',
            },
          ],
        },
      ],
    },
  },
  // Formatting is Prettier's (`pnpm format`); rules that would fight it are off.
  prettierOff,
);
