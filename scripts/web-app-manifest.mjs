/**
 * The web app manifest of Backprop Lab (vite-plugin-pwa writes it to dist/manifest.webmanifest and links it from
 * every page), kept apart from vite.config.ts so a unit test can check it without a build.
 */

/** The manifest: names, start page, colours and the two icons (192 and 512 px, under public/) an install needs. */
export const WEB_APP_MANIFEST = Object.freeze({
  name: 'Backprop Lab',
  short_name: 'Backprop Lab',
  description: 'Train deep networks in the browser and watch the gradient vanish: deep sigmoid vs deep ReLU, side by side.',
  id: '/',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#f6f7f9',
  theme_color: '#0b5cad',
  icons: [
    { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
});
