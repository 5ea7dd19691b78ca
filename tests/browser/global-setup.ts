/** Vitest global setup for the browser project: builds the app and the embed bundle into dist/ once before any browser test. */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Project root (the folder holding vite.config.ts and index.html). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs both builds of `npm run build` (the app, then the embed bundle), so `npm test` alone tests the current sources. */
export default async function setup(): Promise<void> {
  await build({ root: ROOT, configFile: `${ROOT}vite.config.ts`, logLevel: 'warn', mode: 'production' });
  await build({ root: ROOT, configFile: `${ROOT}vite.embed.config.ts`, logLevel: 'warn', mode: 'production' });
}
