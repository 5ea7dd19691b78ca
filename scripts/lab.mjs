#!/usr/bin/env node
// Runs the Backprop Lab CLI (src/cli/main.ts): bundles it with esbuild (WGSL `?raw` imports become strings,
// the `webgpu` native package stays external) into node_modules/.cache, then runs it with the given arguments.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'node_modules', '.cache', 'backprop-lab', 'lab.mjs');

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

await build({
  entryPoints: [path.join(root, 'src', 'cli', 'entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  external: ['webgpu'],
  plugins: [rawText],
  logLevel: 'error',
  sourcemap: 'inline',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
// Resolve `webgpu` from the project: the bundle lives under node_modules/.cache, inside the project tree.
await import(pathToFileURL(outfile).href);
