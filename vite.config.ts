/** Vite build and dev-server configuration for the Backprop Lab web app (pages: index.html, bench.html, lessons.html). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { securityHeaders } from './scripts/serve.mjs';

/** The HTML pages of the app, each an entry of the build. */
const PAGES = {
  main: fileURLToPath(new URL('./index.html', import.meta.url)),
  bench: fileURLToPath(new URL('./bench.html', import.meta.url)),
  lessons: fileURLToPath(new URL('./lessons.html', import.meta.url)),
};

/** The app is a static bundle; dev and preview servers send the same headers as scripts/serve.mjs. */
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Inlined assets would become data: URLs; keep every asset a separate same-origin file.
    assetsInlineLimit: 0,
    rolldownOptions: { input: PAGES },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', headers: securityHeaders() },
  preview: { host: '127.0.0.1', headers: securityHeaders() },
});
