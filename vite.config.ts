/** Vite build and dev-server configuration for the Backprop Lab web app (pages: index.html, bench.html, lessons.html). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { securityHeaders } from './scripts/serve.mjs';
import { WEB_APP_MANIFEST } from './scripts/web-app-manifest.mjs';

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
  plugins: [
    // Offline after the first visit: a Workbox service worker precaches every built file (pages, bundles, workers,
    // the digits, the icons). 'prompt': a new version waits until the page's notice is accepted (src/ui/sw-register.ts),
    // so old and new files never mix; no injected registration script (the CSP forbids inline script).
    VitePWA({
      registerType: 'prompt',
      // The same minified worker whatever NODE_ENV says (the browser tests build under vitest, NODE_ENV=test).
      mode: 'production',
      injectRegister: false,
      manifest: { ...WEB_APP_MANIFEST, icons: WEB_APP_MANIFEST.icons.map((icon) => ({ ...icon })) },
      workbox: {
        // The manifest and its icons are added by the plugin itself.
        globPatterns: ['**/*.{html,js,css,wasm,wgsl,bin}'],
        // The digits (lessons.html) are about 1 MB; the bundles stay well under this too.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        // The first version takes the page it was installed from at once (nothing older to mix with), so files the
        // page loads later (the digits, the GPU backend) are cached too; later versions wait for the notice.
        clientsClaim: true,
        navigateFallback: 'index.html',
        // Every page reads its query in the browser (lab settings, bench suites) and the server ignores it: match the
        // precached page whatever the query, so bench.html?suites=… is the benchmark offline, not the fallback.
        ignoreURLParametersMatching: [/.*/],
      },
    }),
  ],
  server: { host: '127.0.0.1', headers: securityHeaders() },
  preview: { host: '127.0.0.1', headers: securityHeaders() },
});
