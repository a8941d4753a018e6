import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// The built console is served by the query service from dist/web (see query-server.ts).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/api': process.env.TF_API_URL ?? 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'happy-dom',
  },
});
