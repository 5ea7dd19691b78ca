/**
 * Offline support for every page: registers the service worker that vite-plugin-pwa builds (dist/sw.js, which
 * precaches the whole app), and when a newer version has installed and waits, shows <bp-update-notice> instead of
 * switching files under a running page. Imported by the entry module of each page (no inline script: the CSP).
 */
/// <reference types="vite-plugin-pwa/vanillajs" />
import { registerSW } from 'virtual:pwa-register';
import './bp-update-notice.js';

/** Registers the service worker (once the page has loaded) and wires the new-version notice; a no-op without service workers. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  let notice: HTMLElement | null = null;
  const updateSW = registerSW({
    onNeedRefresh() {
      if (notice?.isConnected) return;
      notice = document.body.appendChild(document.createElement('bp-update-notice'));
      // Skip waiting: the new worker takes over, and registerSW reloads the page on its 'controlling' event.
      notice.addEventListener('bp-update-reload', () => void updateSW(true));
      notice.addEventListener('bp-update-dismiss', () => notice?.remove());
    },
    onRegisteredSW(_url, registration) {
      // A page left open in a classroom looks for a new version whenever it comes back into view.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void registration?.update().catch(() => undefined);
      });
    },
    onRegisterError(error: unknown) {
      console.warn('Offline support is off: the service worker did not register.', error);
    },
  });
}
