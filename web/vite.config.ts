import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Credentials pages must not leak source through maps on a production host.
    sourcemap: false,
    target: 'es2022',
    // Every browser the portal supports (es2022) knows <link rel=modulepreload>: skip the polyfill.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` for the UI: API calls go to a portal on :3000.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
