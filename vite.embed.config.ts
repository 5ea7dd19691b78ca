/**
 * Vite build of the embed bundle: `<backprop-lab>` (src/ui/embed/backprop-lab.ts) in library mode, to
 * dist/embed/backprop-lab.js with its workers beside it (found relative to the script), plus the example page
 * embed.html copied to dist/. Runs after the app's build (vite.config.ts empties dist/): `npm run build` runs both.
 */
import { copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const ROOT = fileURLToPath(new URL('./', import.meta.url));

/** Copies the example page to dist/embed.html once the bundle is written (its script is ./embed/backprop-lab.js). */
function examplePage(): Plugin {
  return {
    name: 'backprop-lab-embed-page',
    apply: 'build',
    async closeBundle() {
      await copyFile(`${ROOT}embed.html`, `${ROOT}dist/embed.html`);
    },
  };
}

/** One ES module, everything (lit and uPlot included) bundled; every asset a separate same-origin file. */
export default defineConfig({
  // Relative URLs: the workers are found next to the script, wherever the course page serves it from.
  base: './',
  publicDir: false,
  build: {
    target: 'es2022',
    outDir: 'dist/embed',
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: 0,
    lib: {
      entry: fileURLToPath(new URL('./src/ui/embed/backprop-lab.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'backprop-lab.js',
    },
  },
  worker: { format: 'es' },
  plugins: [examplePage()],
});
