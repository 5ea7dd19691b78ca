#!/usr/bin/env node
// Runs the Backprop Lab CLI (src/cli/main.ts): bundles it with esbuild (WGSL `?raw` imports become strings,
// the `webgpu` native package stays external) into node_modules/.cache, then runs it with the given arguments.
import { build } from 'esbuild';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'node_modules', '.cache', 'backprop-lab');
const outfile = path.join(outdir, 'lab.mjs');

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

// Build into a fresh temporary folder beside the cache and rename each file into place, so that two CLIs started
// at once never run a half-written bundle. The matmul worker is its own entry: worker threads load it by path.
await mkdir(outdir, { recursive: true });
const tmp = await mkdtemp(path.join(path.dirname(outdir), 'backprop-lab-build-'));
await build({
  entryPoints: {
    lab: path.join(root, 'src', 'cli', 'entry.ts'),
    'matmul-worker': path.join(root, 'src', 'backend', 'cpu', 'matmul-worker.ts'),
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: tmp,
  outExtension: { '.js': '.mjs' },
  external: ['webgpu'],
  plugins: [rawText],
  logLevel: 'error',
  sourcemap: 'inline',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
for (const name of await readdir(tmp)) await rename(path.join(tmp, name), path.join(outdir, name));
await rm(tmp, { recursive: true, force: true });
// Resolve `webgpu` from the project: the bundle lives under node_modules/.cache, inside the project tree.
await import(pathToFileURL(outfile).href);
